/** Domain refusals the API turns into problem+json; `code` is the stable identifier clients see. */
export class OrdersError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'forbidden' | 'unprocessable' | 'unavailable' | 'bad_request',
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'OrdersError';
  }
}
