/**
 * The principals a fuzz run sends as, with something of their own to lose: a consumer with an
 * order and a cart, a seller with a product, and an admin made the way an operator makes one.
 * Each phase of the run has its own cast, so what one phase's accepted requests change never
 * shows in another phase's before/after comparison.
 */
import assert from 'node:assert/strict';
import { type GatewayClient, type TokenPair } from '../support/gateway-client.js';
import { OrdersWorld, ordersIn, type Person } from '../support/orders-world.js';
import { PASSWORD, type World } from '../support/world.js';
import { createAdmin } from '../site/support/browser.js';
import type { Credential } from './request-model.js';

/** Access tokens live 5 minutes; a long run refreshes them (through the gateway) well before. */
const REFRESH_AFTER_MS = 3 * 60_000;

/** A signed-in principal's tokens, refreshed with the rotating refresh token when they get old. */
export class Session {
  private issuedAt = Date.now();

  constructor(private tokens: TokenPair) {}

  get token(): string {
    return this.tokens.access_token;
  }

  async keepFresh(gateway: GatewayClient): Promise<void> {
    if (Date.now() - this.issuedAt < REFRESH_AFTER_MS) return;
    const response = await gateway.oauth('token', {
      grant_type: 'refresh_token',
      refresh_token: this.tokens.refresh_token,
    });
    assert.equal(response.status, 200, `refreshing a fuzzing principal's tokens: ${response.text}`);
    this.tokens = response.body as TokenPair; // the token endpoint's success shape (see tokens.test.ts)
    this.issuedAt = Date.now();
  }
}

/** A registered account and its session (its `token` is the first one, for the setup only). */
type Principal = Person & { session: Session };

export interface Cast {
  consumer: Principal;
  seller: Principal;
  admin: Session;
  productId: string;
  orderId: string;
  /** Ids the generator mixes into uuid fields, so requests reach real resources. */
  knownIds: string[];
}

/** One admin for the run: made with ms-users' CLI and logged in through the gateway. */
export async function loginAdmin(world: World): Promise<Session> {
  const admin = await createAdmin(world);
  return new Session(await world.gateway.loginTokens(admin.username, admin.password));
}

async function signedIn(world: World, role: 'seller' | 'consumer'): Promise<Principal> {
  const account = await world.register(role);
  const session = new Session(await world.gateway.loginTokens(account.username, PASSWORD));
  return {
    id: account.id,
    role,
    username: account.username,
    email: account.email,
    token: session.token,
    session,
  };
}

export async function buildCast(world: World, admin: Session): Promise<Cast> {
  const orders = new OrdersWorld(world);
  const [consumer, seller] = await Promise.all([signedIn(world, 'consumer'), signedIn(world, 'seller')]);
  const productId = await orders.createProduct(seller, 1_000);
  const [order] = ordersIn(await orders.checkout(consumer, [{ productId, quantity: 1 }]));
  assert.ok(order, 'the setup checkout made an order');
  const cart = await world.gateway.call(`/api/cart/items/${productId}`, {
    method: 'PUT',
    token: consumer.session.token,
    json: { quantity: 2 },
  });
  assert.equal(cart.status, 200, cart.text);
  return {
    consumer,
    seller,
    admin,
    productId,
    orderId: order.id,
    knownIds: [productId, order.id, seller.id, consumer.id],
  };
}

/** The Authorization header a credential stands for (none for anonymous). */
export function authorizationOf(cast: Cast, as: Credential, clientBasic: string): string | undefined {
  switch (as) {
    case 'anonymous':
      return undefined;
    case 'client':
      return clientBasic;
    case 'consumer':
      return `Bearer ${cast.consumer.session.token}`;
    case 'seller':
      return `Bearer ${cast.seller.session.token}`;
    case 'admin':
      return `Bearer ${cast.admin.token}`;
  }
}

export async function keepCastFresh(cast: Cast, gateway: GatewayClient): Promise<void> {
  await Promise.all(
    [cast.consumer.session, cast.seller.session, cast.admin].map((s) => s.keepFresh(gateway)),
  );
}
