import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal, TokenVerifier } from '@marketshare/platform';
import { readRequestText, sendJson, sendProblem } from '@marketshare/platform/testing';

/**
 * A contract stand-in for ms-products (services never import each other): the public product
 * read and the internal reservation API answered exactly as ms-products answers them, with
 * real stock counting, plus an OAuth token endpoint handing ms-orders its service token.
 * Every token the reservation API receives is verified and kept for assertions.
 */
export interface StandInProduct {
  id: string;
  sellerId: string;
  name: string;
  priceMinor: number;
  currency: string;
  stock: number;
  status: 'published' | 'unpublished';
}

interface Reservation {
  status: 'reserved' | 'released' | 'confirmed';
  /** ms-orders ended the hold (commit); an uncommitted hold can be expired by expireHold(). */
  committed?: boolean;
  /** Released by ms-products' own sweep: its hold ran out. */
  expired?: boolean;
  items: {
    productId: string;
    sellerId: string;
    quantity: number;
    unitPriceMinor: number;
    currency: string;
  }[];
}

export type StandInMode = 'normal' | 'slow_reservations' | 'failing';

export class ProductsStandIn {
  readonly products = new Map<string, StandInProduct>();
  readonly reservations = new Map<string, Reservation>();
  readonly reserveCalls: string[] = [];
  readonly releaseCalls: string[] = [];
  readonly commitCalls: string[] = [];
  readonly callers: Principal[] = [];
  mode: StandInMode = 'normal';
  /** When set, a hold runs out just before its commit arrives (as if the checkout stalled past it). */
  expireBeforeCommit = false;
  url = '';
  private server: Server | undefined;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly mintToken: (clientId: string, scope: string) => string,
    readonly clientSecret: string,
  ) {}

  addProduct(overrides: Partial<StandInProduct> = {}): StandInProduct {
    const product: StandInProduct = {
      id: randomUUID(),
      sellerId: 'seller-1',
      name: 'Widget',
      priceMinor: 1000,
      currency: 'EUR',
      stock: 10,
      status: 'published',
      ...overrides,
    };
    this.products.set(product.id, product);
    return product;
  }

  /** What ms-products' sweep does to a hold that ran out: the stock goes back, the order is expired. */
  expireHold(orderId: string): void {
    const reservation = this.reservations.get(orderId);
    if (reservation?.status !== 'reserved' || reservation.committed) return;
    for (const item of reservation.items) {
      const product = this.products.get(item.productId);
      if (product) product.stock += item.quantity;
    }
    reservation.status = 'released';
    reservation.expired = true;
  }

  /** Units held by reservations that are neither released nor refused. */
  heldUnits(productId: string): number {
    let units = 0;
    for (const reservation of this.reservations.values()) {
      if (reservation.status === 'released') continue;
      for (const item of reservation.items) if (item.productId === productId) units += item.quantity;
    }
    return units;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) =>
        sendJson(response, 500, { error: String(error) }),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo; // a listening TCP server has an AddressInfo
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const text = await readRequestText(request);
    if (request.method === 'POST' && url.pathname === '/token') return this.token(request, text, response);
    if (this.mode === 'failing') return sendJson(response, 503, { code: 'service_unavailable' });
    const product = /^\/api\/products\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && product?.[1]) {
      const found = this.products.get(product[1]);
      if (!found || found.status !== 'published') return sendProblem(response, 404, 'not_found');
      return sendJson(response, 200, { ...found, inStock: found.stock > 0 });
    }
    if (!url.pathname.startsWith('/internal/stock/reservations'))
      return sendProblem(response, 404, 'not_found');
    const principal = await this.authenticate(request);
    if (!principal) return sendProblem(response, 401, 'invalid_token');
    if (!principal.scopes.has('stock:reserve')) return sendProblem(response, 403, 'insufficient_scope');
    if (principal.kind !== 'service') return sendProblem(response, 403, 'forbidden_client');
    this.callers.push(principal);
    if (request.method === 'POST' && url.pathname === '/internal/stock/reservations') {
      // Our own client's body.
      const body = JSON.parse(text) as { orderId: string; items: { productId: string; quantity: number }[] };
      this.reserveCalls.push(body.orderId);
      if (this.mode === 'slow_reservations') {
        // Answer long after any sensible client timeout; the socket is dropped at stop().
        await new Promise((resolve) => setTimeout(resolve, 30_000).unref());
      }
      return this.reserve(body, response);
    }
    const action = /^\/internal\/stock\/reservations\/([^/]+)\/(release|commit|confirm)$/.exec(url.pathname);
    if (request.method === 'POST' && action?.[1] && action[2]) {
      if (action[2] === 'release') return this.release(action[1], response);
      return action[2] === 'commit' ? this.commit(action[1], response) : this.confirm(action[1], response);
    }
    return sendProblem(response, 404, 'not_found');
  }

  private token(request: IncomingMessage, text: string, response: ServerResponse): void {
    const basic = Buffer.from(
      (request.headers.authorization ?? '').replace(/^Basic /, ''),
      'base64',
    ).toString();
    const [clientId, secret] = basic.split(':').map(decodeURIComponent);
    if (clientId !== 'ms-orders' || secret !== this.clientSecret)
      return sendJson(response, 401, { error: 'invalid_client' });
    const scope = new URLSearchParams(text).get('scope') ?? '';
    sendJson(response, 200, {
      access_token: this.mintToken(clientId, scope),
      token_type: 'Bearer',
      expires_in: 300,
    });
  }

  private async authenticate(request: IncomingMessage): Promise<Principal | undefined> {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return undefined;
    return this.verifier.verify(header.slice('Bearer '.length)).catch(() => undefined);
  }

  private reserve(
    body: { orderId: string; items: { productId: string; quantity: number }[] },
    response: ServerResponse,
  ) {
    const earlier = this.reservations.get(body.orderId);
    if (earlier) {
      if (earlier.status === 'released')
        return sendProblem(response, 409, earlier.expired ? 'reservation_expired' : 'reservation_released');
      return sendJson(response, 201, { orderId: body.orderId, status: earlier.status, items: earlier.items });
    }
    const shortages = body.items.flatMap((item) => {
      const product = this.products.get(item.productId);
      const available = product?.status === 'published' ? product.stock : 0;
      return available >= item.quantity
        ? []
        : [{ productId: item.productId, requested: item.quantity, available }];
    });
    if (shortages.length > 0) {
      const unavailable = shortages.some((s) => this.products.get(s.productId)?.status !== 'published');
      return sendProblem(response, 409, 'stock_unavailable', {
        orderId: body.orderId,
        reservationStatus: 'rejected',
        reason: unavailable ? 'product_unavailable' : 'insufficient_stock',
        shortages,
      });
    }
    const items = body.items.map((item) => {
      const product = this.products.get(item.productId);
      if (!product) throw new Error('checked above');
      product.stock -= item.quantity;
      return {
        productId: product.id,
        sellerId: product.sellerId,
        quantity: item.quantity,
        unitPriceMinor: product.priceMinor,
        currency: product.currency,
      };
    });
    this.reservations.set(body.orderId, { status: 'reserved', committed: false, expired: false, items });
    sendJson(response, 201, { orderId: body.orderId, status: 'reserved', items });
  }

  private release(orderId: string, response: ServerResponse): void {
    this.releaseCalls.push(orderId);
    const reservation = this.reservations.get(orderId);
    if (!reservation) return sendProblem(response, 404, 'reservation_not_found');
    if (reservation.status === 'confirmed') return sendProblem(response, 409, 'reservation_confirmed');
    if (reservation.status === 'reserved') {
      for (const item of reservation.items) {
        const product = this.products.get(item.productId);
        if (product) product.stock += item.quantity;
      }
      reservation.status = 'released';
    }
    sendJson(response, 200, { orderId, status: reservation.status, items: reservation.items });
  }

  private commit(orderId: string, response: ServerResponse): void {
    this.commitCalls.push(orderId);
    if (this.expireBeforeCommit) this.expireHold(orderId);
    const reservation = this.reservations.get(orderId);
    if (!reservation) return sendProblem(response, 404, 'reservation_not_found');
    if (reservation.status === 'released')
      return sendProblem(response, 409, reservation.expired ? 'reservation_expired' : 'reservation_released');
    reservation.committed = true;
    sendJson(response, 200, { orderId, status: reservation.status, items: reservation.items });
  }

  private confirm(orderId: string, response: ServerResponse): void {
    const reservation = this.reservations.get(orderId);
    if (!reservation) return sendProblem(response, 404, 'reservation_not_found');
    if (reservation.status === 'released')
      return sendProblem(response, 409, reservation.expired ? 'reservation_expired' : 'reservation_released');
    reservation.status = 'confirmed';
    sendJson(response, 200, { orderId, status: reservation.status, items: reservation.items });
  }
}
