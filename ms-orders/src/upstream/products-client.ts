import {
  ClientCredentialsTokenSource,
  InternalHttpClient,
  type MetricsRegistry,
  type UpstreamResponse,
} from '@marketshare/platform';
import type {
  ProductSnapshot,
  ProductsPort,
  RequestedItem,
  ReservationOutcome,
  ReservedItem,
} from '../domain/ports.js';

export const RESERVE_SCOPE = 'stock:reserve';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const codeOf = (response: UpstreamResponse) => (isObject(response.body) ? response.body['code'] : undefined);

/** ms-products released the reservation itself: its hold ran out before it was committed. */
const isExpired = (response: UpstreamResponse) =>
  response.status === 409 && codeOf(response) === 'reservation_expired';

class UnexpectedAnswerError extends Error {
  constructor(what: string, response: UpstreamResponse) {
    super(`ms-products answered ${what} with HTTP ${response.status} (${String(codeOf(response) ?? '')})`);
    this.name = 'UnexpectedAnswerError';
  }
}

function snapshotOf(body: unknown): ProductSnapshot | undefined {
  if (!isObject(body) || body['status'] !== 'published') return undefined;
  const { id, sellerId, name, priceMinor, currency, stock } = body;
  if (typeof id !== 'string' || typeof sellerId !== 'string' || typeof name !== 'string') return undefined;
  if (typeof priceMinor !== 'number' || typeof currency !== 'string' || typeof stock !== 'number')
    return undefined;
  return { id, sellerId, name, priceMinor, currency, stock };
}

function reservedItemsOf(body: unknown): ReservedItem[] {
  const items = isObject(body) ? body['items'] : undefined;
  if (!Array.isArray(items)) throw new Error('ms-products sent a reservation without items');
  return items.filter(isObject).map((item) => ({
    productId: String(item['productId']),
    sellerId: String(item['sellerId']),
    quantity: Number(item['quantity']),
    unitPriceMinor: Number(item['unitPriceMinor']),
    currency: String(item['currency']),
  }));
}

/** ms-products over HTTP: public product reads, and the internal reservations with ms-orders' token. */
export class HttpProductsClient implements ProductsPort {
  private readonly catalogue: InternalHttpClient;
  private readonly stock: InternalHttpClient;

  constructor(options: {
    baseUrl: string;
    timeoutMs: number;
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    /** Every call is measured here (http_client_request_duration_seconds, upstream ms-products). */
    registry?: MetricsRegistry;
  }) {
    const measured = { upstream: 'ms-products', registry: options.registry };
    this.catalogue = new InternalHttpClient({
      name: 'products',
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      ...measured,
    });
    this.stock = new InternalHttpClient({
      name: 'products',
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      ...measured,
      tokens: new ClientCredentialsTokenSource({
        tokenUrl: options.tokenUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        scope: RESERVE_SCOPE,
        timeoutMs: options.timeoutMs,
        registry: options.registry,
      }),
    });
  }

  async findProduct(productId: string): Promise<ProductSnapshot | undefined> {
    const response = await this.catalogue.request('GET', `/api/products/${encodeURIComponent(productId)}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new UnexpectedAnswerError('a product read', response);
    return snapshotOf(response.body);
  }

  async reserve(orderId: string, items: RequestedItem[]): Promise<ReservationOutcome> {
    const response = await this.stock.request('POST', '/internal/stock/reservations', { orderId, items });
    if (response.status === 201) return { outcome: 'reserved', items: reservedItemsOf(response.body) };
    if (response.status === 409 && codeOf(response) === 'stock_unavailable' && isObject(response.body)) {
      const shortages = Array.isArray(response.body['shortages']) ? response.body['shortages'] : [];
      return {
        outcome: 'refused',
        reason: String(response.body['reason']),
        shortages: shortages.filter(isObject).map((shortage) => ({
          productId: String(shortage['productId']),
          requested: Number(shortage['requested']),
          available: Number(shortage['available']),
        })),
      };
    }
    throw new UnexpectedAnswerError('a reservation', response);
  }

  async release(orderId: string): Promise<'released' | 'not_found'> {
    const response = await this.stock.request(
      'POST',
      `/internal/stock/reservations/${encodeURIComponent(orderId)}/release`,
    );
    if (response.status === 200) return 'released';
    if (response.status === 404) return 'not_found';
    throw new UnexpectedAnswerError('a release', response);
  }

  async commit(orderId: string): Promise<'committed' | 'expired'> {
    const response = await this.stock.request(
      'POST',
      `/internal/stock/reservations/${encodeURIComponent(orderId)}/commit`,
    );
    if (response.status === 200) return 'committed';
    if (isExpired(response)) return 'expired';
    throw new UnexpectedAnswerError('a commit', response);
  }

  async confirm(orderId: string): Promise<'confirmed' | 'expired'> {
    const response = await this.stock.request(
      'POST',
      `/internal/stock/reservations/${encodeURIComponent(orderId)}/confirm`,
    );
    if (response.status === 200) return 'confirmed';
    if (isExpired(response)) return 'expired';
    throw new UnexpectedAnswerError('a confirmation', response);
  }
}
