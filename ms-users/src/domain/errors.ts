/** What went wrong, in terms a client can act on; the API layer picks the HTTP status. */
export type DomainErrorKind = 'invalid' | 'conflict' | 'not_found' | 'forbidden';

/**
 * A rule of the domain was not met. `code` is stable snake_case; `field` names the input
 * the client should fix, when there is one.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Too many failed attempts for this login: try again after `retryAfterSeconds`. */
export class LoginThrottledError extends Error {
  override readonly name = 'LoginThrottledError';

  constructor(readonly retryAfterSeconds: number) {
    super(`login throttled for ${retryAfterSeconds} s`);
  }
}
