/** What went wrong, in terms a client can act on; the API layer picks the HTTP status. */
export type ProductErrorKind = 'invalid' | 'not_found' | 'conflict' | 'precondition_failed';

/** Where the input a rule names was sent: search parameters in the query, writes in the body. */
export type ProductErrorPart = 'query' | 'body';

/**
 * A catalogue rule was not met. `code` is stable snake_case; `field` names the input to fix
 * (relative to its part of the request: `cursor`, `maxPrice`, ...), when there is one.
 */
export class ProductError extends Error {
  override readonly name = 'ProductError';

  constructor(
    readonly kind: ProductErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly part: ProductErrorPart = 'query',
  ) {
    super(message);
  }
}

/** One answer for "does not exist" and "not yours", so ids of others' drafts leak nothing. */
export const productNotFound = () =>
  new ProductError('not_found', 'not_found', 'The product does not exist.');

/** If-Match named versions of the product that are no longer current: nothing was changed. */
export const productVersionStale = () =>
  new ProductError(
    'precondition_failed',
    'precondition_failed',
    'The product changed since the version named in If-Match; read it again and retry.',
  );

/** A relative stock adjustment would leave the stock below 0 or above the catalogue's maximum. */
export const stockAdjustmentOutOfRange = (stock: number, delta: number, max: number) =>
  new ProductError(
    'conflict',
    delta < 0 ? 'delta_exceeds_stock' : 'delta_exceeds_stock_limit',
    delta < 0
      ? `The stock is ${stock}; taking ${-delta} would leave it negative. Nothing was changed.`
      : `The stock is ${stock}; adding ${delta} would take it above ${max}. Nothing was changed.`,
    'delta',
    'body',
  );
