/**
 * What the site benchmark loads and signs in with: the demo catalogue, a demo buyer with a few
 * orders (checked out through the gateway as the site would), and that buyer's session cookie,
 * got by posting the login form as a browser without JavaScript does.
 */
import { randomUUID } from 'node:crypto';
import { DEMO_PASSWORD, demoLogin, seedDemo, type DemoTarget } from '../scripts/seed-demo.js';
import { fieldOf, requestJson } from './lib/http-json.js';

export const BUYER = 'demo-buyer-acme';

/** The search the page and the API both answer: the page's own query string, and the API call it makes. */
export const SEARCH = {
  page: '/products?q=steel&sort=price_asc',
  // What the search page's load sends ms-products for that URL (searchQuery with limit 12 first).
  api: '/api/products?limit=12&q=steel&sort=price_asc',
} as const;

export interface SiteFixture {
  seeded: { products: number; inserted: number; seconds: number };
  /** A product of the search's first page: the product page measured. */
  productId: string;
  /** Items on the search's first page. */
  searchItems: number;
  /** Orders the buyer has (all on the orders page's first page). */
  orders: number;
}

function itemsOf(body: unknown): { id: string; sellerId: string; stock: number }[] {
  const items = fieldOf(body, 'items');
  if (!Array.isArray(items)) throw new Error(`not a product page: ${JSON.stringify(body).slice(0, 300)}`);
  return items.map((item: unknown) => ({
    id: String(fieldOf(item, 'id')),
    sellerId: String(fieldOf(item, 'sellerId')),
    stock: Number(fieldOf(item, 'stock')),
  }));
}

/** `orders` checkouts of two products of two sellers each (two orders per checkout). */
async function placeOrders(target: DemoTarget, checkouts: number): Promise<number> {
  const token = await demoLogin(target, BUYER);
  const auth = { authorization: `Bearer ${token}` };
  const listed = await requestJson(`${target.gatewayUrl}/api/products?inStock=true&sort=newest&limit=50`, {
    headers: auth,
  });
  const products = itemsOf(listed.body).filter((product) => product.stock >= checkouts);
  const sellers = [...new Set(products.map((product) => product.sellerId))];
  if (sellers.length < 2) throw new Error('the demo catalogue needs products of two sellers in stock');
  const ofSeller = (seller: string | undefined) => products.filter((product) => product.sellerId === seller);
  let orders = 0;
  for (let n = 0; n < checkouts; n += 1) {
    const first = ofSeller(sellers[n % sellers.length]);
    const second = ofSeller(sellers[(n + 1) % sellers.length]);
    const items = [first[n % first.length], second[n % second.length]].map((product) => ({
      productId: product?.id ?? '',
      quantity: 1,
    }));
    const answer = await requestJson(`${target.gatewayUrl}/api/orders/checkout`, {
      headers: { ...auth, 'idempotency-key': randomUUID() },
      json: { items },
      timeoutMs: 30_000,
    });
    const placed = fieldOf(answer.body, 'orders');
    if (answer.status !== 201 || !Array.isArray(placed)) {
      throw new Error(`checkout: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    orders += placed.length;
  }
  return orders;
}

export async function prepareSite(
  target: DemoTarget,
  options: { products: number; checkouts: number },
): Promise<SiteFixture> {
  const started = performance.now();
  const seeded = await seedDemo(target, { products: options.products });
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const search = await requestJson(`${target.gatewayUrl}${SEARCH.api}`);
  const found = search.status === 200 ? itemsOf(search.body) : [];
  const product = found[0];
  if (product === undefined) throw new Error(`${SEARCH.api} found nothing (${search.status})`);
  const orders = await placeOrders(target, options.checkouts);
  return {
    seeded: { products: seeded.products, inserted: seeded.inserted, seconds },
    productId: product.id,
    searchItems: found.length,
    orders,
  };
}

/**
 * Signs the buyer in through the site's login form (POST /login, form-encoded, as a browser
 * without JavaScript does) and returns the session cookie, `name=value`. The flash cookie the
 * login also sets is left out: it is read and cleared by the next page, once.
 */
export async function signInThroughForm(gatewayUrl: string, username = BUYER): Promise<string> {
  if (new URL(gatewayUrl).hostname !== '127.0.0.1') throw new Error('benchmarks only ever call 127.0.0.1');
  const response = await fetch(`${gatewayUrl}/login`, {
    method: 'POST',
    // SvelteKit's CSRF check wants the site's own origin on a form post.
    headers: {
      accept: 'text/html',
      origin: gatewayUrl,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ username, password: DEMO_PASSWORD, returnTo: '' }).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  const body = await response.text();
  const session = response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('ms_session='));
  if (response.status !== 303 || session === undefined) {
    const text = body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .slice(0, 600);
    throw new Error(`signing in through POST /login: ${response.status}, no session cookie: ${text}`);
  }
  return session;
}
