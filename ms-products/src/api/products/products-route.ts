import {
  HttpProblem,
  defineRoute,
  type Principal,
  type Route,
  type RouteSpec,
  type TSchema,
} from '@marketshare/platform';
import { ProductError, type ProductErrorKind } from '../../domain/products/errors.js';
import type { Viewer } from '../../domain/products/product.js';

const STATUS_BY_KIND: Record<ProductErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409 };

/**
 * Catalogue errors become problem+json here, once. A field the domain names is reported where
 * the client sent it (`query.cursor`), like the platform's own validation problems.
 */
function toHttpError(error: unknown, fieldPrefix: string | undefined): unknown {
  if (!(error instanceof ProductError)) return error;
  const field =
    error.field === undefined ? undefined : fieldPrefix ? `${fieldPrefix}.${error.field}` : error.field;
  return new HttpProblem(
    STATUS_BY_KIND[error.kind],
    error.code,
    error.message,
    field === undefined ? {} : { errors: [{ field, message: error.message }] },
  );
}

/** defineRoute with the catalogue's errors translated. */
export function defineProductsRoute<
  B extends TSchema | undefined = undefined,
  Q extends TSchema | undefined = undefined,
  P extends TSchema | undefined = undefined,
>(spec: RouteSpec<B, Q, P>, options: { domainFieldPrefix?: 'query' | 'params' } = {}): Route {
  return defineRoute<B, Q, P>({
    ...spec,
    handler: async (input) => {
      try {
        return await spec.handler(input);
      } catch (error) {
        throw toHttpError(error, options.domainFieldPrefix);
      }
    },
  });
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
