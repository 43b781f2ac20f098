/** The error codes of RFC 6749 §5.2, plus `temporarily_unavailable` (§4.1.2.1) for a dependency outage. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'temporarily_unavailable';

/**
 * A refusal a client may act on. The API layer turns it into the RFC 6749 error body and
 * the status that goes with the code.
 */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    /** Set when the refusal is a throttle the client should wait out. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
  }
}

/** Every unusable grant gets this same refusal, so callers cannot tell why it failed. */
export const invalidGrant = (description = 'The grant is invalid, expired or revoked.') =>
  new OAuthError('invalid_grant', description);
