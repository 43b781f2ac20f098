import { HttpProblem, type Principal } from '@marketshare/platform';
import { ProductError, type ProductErrorKind, type ProductErrorPart } from '../../domain/products/errors.js';
import type { Viewer } from '../../domain/products/product.js';

const STATUS_BY_KIND: Record<ProductErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
};

/**
 * Catalogue errors become problem+json here, once. A field a rule names is reported where the
 * client sent it, like the platform's own validation problems: `query.cursor`, and body members
 * by their bare name (`delta`).
 */
const fieldName = (part: ProductErrorPart, field: string) => (part === 'query' ? `query.${field}` : field);

export function productErrorToHttp(error: unknown): unknown {
  if (!(error instanceof ProductError)) return error;
  return new HttpProblem(
    STATUS_BY_KIND[error.kind],
    error.code,
    error.message,
    error.field === undefined
      ? {}
      : { errors: [{ field: fieldName(error.part, error.field), message: error.message }] },
  );
}

/** The principal of a route whose policy requires a token (never undefined there). */
export function signedIn(principal: Principal | undefined): Principal {
  if (!principal) throw new HttpProblem(401, 'unauthenticated', 'An access token is required.');
  return principal;
}

export function viewerOf(principal: Principal | undefined): Viewer | undefined {
  return principal && { subject: principal.subject, role: principal.role };
}

/** Problem responses, for the OpenAPI document. */
export const problem = (description: string) => ({ description, contentType: 'application/problem+json' });
