import { HttpProblem, UpstreamUnavailableError, type Route } from '@marketshare/platform';
import { OAuthError, type OAuthErrorCode } from '../../domain/oauth-error.js';

export const REALM = 'marketshare';

/** RFC 6749 §5.1: token responses, and the errors next to them, must never be cached. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/**
 * Client authentication failed. When the client tried HTTP Basic (or no method at all),
 * RFC 6749 §5.2 wants 401 with a Basic challenge.
 */
export class ClientAuthenticationFailed extends OAuthError {
  constructor(readonly challengeBasic: boolean) {
    super('invalid_client', 'Client authentication failed.');
  }
}

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  temporarily_unavailable: 503,
};

/** The RFC 6749 §5.2 response for a refusal: JSON `{error, error_description}`, not problem+json. */
export function oauthProblem(error: OAuthError): HttpProblem {
  const headers: Record<string, string> = { ...NO_STORE };
  let status = STATUS[error.code];
  if (error instanceof ClientAuthenticationFailed && error.challengeBasic) {
    headers['WWW-Authenticate'] = `Basic realm="${REALM}"`;
  }
  if (error.retryAfterSeconds !== undefined) {
    status = 429;
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  }
  return new HttpProblem(status, error.code, error.description, {
    headers,
    protocolBody: { error: error.code, error_description: error.description },
  });
}

const PARAMETER_PROBLEMS = new Set(['validation_failed', 'duplicate_parameter']);

/** Any failure as the OAuth refusal it amounts to, or undefined when it is not one (413, 415, 429, 500). */
export function asOAuthError(error: unknown): OAuthError | undefined {
  if (error instanceof OAuthError) return error;
  if (error instanceof UpstreamUnavailableError) {
    return new OAuthError(
      'temporarily_unavailable',
      'The service is temporarily unavailable. Try again later.',
    );
  }
  if (error instanceof HttpProblem && error.status === 400 && PARAMETER_PROBLEMS.has(error.code)) {
    const first = error.errors?.[0];
    const description = first
      ? `The parameter ${first.field} ${first.message}.`
      : 'The request is malformed.';
    return new OAuthError('invalid_request', description);
  }
  return undefined;
}

/**
 * The platform's other refusals (413 body too large, 415 not a form, 429, a malformed or aborted
 * body) keep their status and headers but speak RFC 6749 §5.2 like the rest of the endpoint:
 * an OAuth client parses `error`, not problem+json.
 */
function inOAuthForm(error: unknown): unknown {
  if (!(error instanceof HttpProblem) || error.status >= 500 || error.protocolBody) return error;
  const description = error.detail ?? 'The request is invalid.';
  return new HttpProblem(error.status, error.code, description, {
    headers: { ...error.headers, ...NO_STORE },
    protocolBody: { error: 'invalid_request', error_description: description },
  });
}

/**
 * The refusals that no route wrapper sees, on an OAuth endpoint's path: the router's 405 for
 * another method (a GET of /api/auth/token), in RFC 6749 form like the endpoint's own.
 */
export function routerRefusalsInOAuthForm(paths: ReadonlySet<string>) {
  return (error: unknown, ctx: { path: string }): unknown =>
    paths.has(ctx.path) ? inOAuthForm(error) : error;
}

/**
 * Makes an OAuth endpoint answer every refusal in RFC 6749 form, including the ones the
 * platform raises before the handler runs (a repeated or oversized parameter).
 */
export function oauthEndpoint(route: Route): Route {
  return {
    spec: route.spec,
    async run(ctx, deps) {
      try {
        await route.run(ctx, deps);
      } catch (error) {
        const refusal = asOAuthError(error);
        if (!refusal) throw inOAuthForm(error);
        if (error instanceof UpstreamUnavailableError)
          ctx.state.log.warn({ err: error }, 'dependency unavailable');
        throw oauthProblem(refusal);
      }
    },
  };
}
