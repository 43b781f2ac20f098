/** What went wrong, in terms a client can act on; the API layer picks the HTTP status. */
export type ProductErrorKind = 'invalid' | 'not_found' | 'conflict';

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
  ) {
    super(message);
  }
}

/** One answer for "does not exist" and "not yours", so ids of others' drafts leak nothing. */
export const productNotFound = () =>
  new ProductError('not_found', 'not_found', 'The product does not exist.');
