import { HttpProblem, type Principal } from '@marketshare/platform';
import { DomainError, LoginThrottledError, type DomainErrorKind } from '../domain/errors.js';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
};

/** Domain errors become problem+json here, once, so use cases stay free of HTTP. */
export function toHttpError(error: unknown): unknown {
  if (error instanceof DomainError) {
    return new HttpProblem(
      STATUS_BY_KIND[error.kind],
      error.code,
      error.message,
      error.field === undefined ? {} : { errors: [{ field: error.field, message: error.message }] },
    );
  }
  if (error instanceof LoginThrottledError) {
    return new HttpProblem(429, 'login_throttled', 'Too many failed attempts. Try again later.', {
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
      extensions: { retryAfterSeconds: error.retryAfterSeconds },
    });
  }
  return error;
}

/** A domain error about a query parameter names it as the platform's validation does: `query.<name>`. */
export function namedInQuery(error: unknown): never {
  if (error instanceof DomainError && error.field !== undefined) {
    throw new DomainError(error.kind, error.code, error.message, `query.${error.field}`);
  }
  throw error;
}

/** The principal of a route whose policy requires a token (never undefined there). */
export function signedIn(principal: Principal | undefined): Principal {
  if (!principal) throw new HttpProblem(401, 'unauthenticated', 'An access token is required.');
  return principal;
}

/** Problem responses, for the OpenAPI document. */
export const problem = (description: string) => ({ description, contentType: 'application/problem+json' });
