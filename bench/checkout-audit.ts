/**
 * The oversell check after the load: per product, what the orders say was sold against what
 * the catalogue says was taken, both read back through the gateway as their owners see them.
 *
 * - units in accepted (RECEIVED) orders, from ms-orders (each seller's order listing) ≤ the
 *   initial stock, and stock is never negative;
 * - initial − current stock (ms-products, the public product) = those accepted units: no unit
 *   sold twice, none held for an order that does not exist;
 * - every accepted order a checkout answered is stored.
 */
import type { DemoTarget } from '../scripts/seed-demo.js';
import { fieldOf, requestJson } from './lib/http-json.js';
import { logIn, type CheckoutFixture } from './checkout-setup.js';

/** Releases a failed checkout could not make at once are retried by ms-orders' sweep (every 30 s). */
const SETTLE_BUDGET_MS = 45_000;
const SETTLE_POLL_MS = 2_000;

export interface ProductAudit {
  productId: string;
  name: string;
  scarceForStage: string | null;
  initialStock: number;
  currentStock: number;
  /** Units in the stored RECEIVED orders. */
  acceptedUnits: number;
  /** Units in the RECEIVED orders the checkout answers named. */
  answeredUnits: number;
  ok: boolean;
}

export interface OversellCheck {
  passed: boolean;
  /** Reading every order and every product's stock back. */
  readSeconds: number;
  /** How long the stock took to match the orders after the first reading (releases on their way). */
  settleSeconds: number;
  /** Every stored order of the run's sellers, by status. */
  storedOrders: Record<string, number>;
  products: ProductAudit[];
  failures: string[];
  notes: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every order of one seller, page by page (newest first). */
async function sellerOrders(gatewayUrl: string, token: string): Promise<unknown[]> {
  const all: unknown[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page = await requestJson(`${gatewayUrl}/api/orders?limit=100${query}`, {
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: 60_000,
    });
    const items = fieldOf(page.body, 'items');
    if (page.status !== 200 || !Array.isArray(items)) {
      throw new Error(`GET /api/orders: ${page.status} ${JSON.stringify(page.body)}`);
    }
    all.push(...items);
    const next = fieldOf(page.body, 'nextCursor');
    cursor = typeof next === 'string' ? next : null;
  } while (cursor !== null);
  return all;
}

async function storedAcceptedUnits(
  target: DemoTarget,
  fixture: CheckoutFixture,
): Promise<{ units: Map<string, number>; byStatus: Record<string, number> }> {
  const units = new Map<string, number>();
  const byStatus: Record<string, number> = {};
  for (const seller of fixture.sellers) {
    const orders = await sellerOrders(target.gatewayUrl, await logIn(target, seller));
    for (const order of orders) {
      const status = String(fieldOf(order, 'status'));
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (status !== 'RECEIVED') continue;
      const items = fieldOf(order, 'items');
      for (const item of Array.isArray(items) ? items : []) {
        const productId = String(fieldOf(item, 'productId'));
        units.set(productId, (units.get(productId) ?? 0) + Number(fieldOf(item, 'quantity')));
      }
    }
  }
  return { units, byStatus };
}

async function currentStocks(gatewayUrl: string, fixture: CheckoutFixture): Promise<Map<string, number>> {
  const stocks = new Map<string, number>();
  for (const product of fixture.products) {
    const answer = await requestJson(`${gatewayUrl}/api/products/${product.id}`);
    const stock = fieldOf(answer.body, 'stock');
    if (answer.status !== 200 || typeof stock !== 'number') {
      throw new Error(`GET /api/products/${product.id}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    stocks.set(product.id, stock);
  }
  return stocks;
}

export async function checkOversell(
  target: DemoTarget,
  fixture: CheckoutFixture,
  answeredUnits: ReadonlyMap<string, number>,
): Promise<OversellCheck> {
  const started = performance.now();
  // No checkout is in flight any more: the orders are final; only releases may still be on their way.
  const stored = await storedAcceptedUnits(target, fixture);
  const accepted = (id: string) => stored.units.get(id) ?? 0;
  let stocks = await currentStocks(target.gatewayUrl, fixture);
  const read = performance.now();
  const balanced = () =>
    fixture.products.every(
      (product) => product.initialStock - (stocks.get(product.id) ?? 0) === accepted(product.id),
    );
  while (!balanced() && performance.now() - read < SETTLE_BUDGET_MS) {
    await sleep(SETTLE_POLL_MS);
    stocks = await currentStocks(target.gatewayUrl, fixture);
  }
  const seconds = (from: number, to: number) => Math.round((to - from) / 100) / 10;
  const readSeconds = seconds(started, read);
  const settleSeconds = seconds(read, performance.now());

  const failures: string[] = [];
  const notes: string[] = [];
  const products = fixture.products.map((product): ProductAudit => {
    const currentStock = stocks.get(product.id) ?? Number.NaN;
    const acceptedUnits = accepted(product.id);
    const answered = answeredUnits.get(product.id) ?? 0;
    const taken = product.initialStock - currentStock;
    const problems = [
      acceptedUnits > product.initialStock &&
        `oversold: ${acceptedUnits} units accepted, ${product.initialStock} in stock`,
      currentStock < 0 && `stock went negative (${currentStock})`,
      taken !== acceptedUnits && `${taken} units taken from stock, ${acceptedUnits} in accepted orders`,
      answered > acceptedUnits && `checkouts accepted ${answered} units, only ${acceptedUnits} are stored`,
    ].filter((problem): problem is string => typeof problem === 'string');
    for (const problem of problems) failures.push(`${product.name}: ${problem}`);
    if (answered < acceptedUnits) {
      notes.push(`${product.name}: ${acceptedUnits - answered} stored units were not in a 201 answer`);
    }
    if (product.mustSellOut && currentStock > 0) {
      notes.push(`${product.name} did not sell out (${currentStock} left): its stage was not contended`);
    }
    return {
      productId: product.id,
      name: product.name,
      scarceForStage: product.scarceForStage,
      initialStock: product.initialStock,
      currentStock,
      acceptedUnits,
      answeredUnits: answered,
      ok: problems.length === 0,
    };
  });
  return {
    passed: failures.length === 0,
    readSeconds,
    settleSeconds,
    storedOrders: stored.byStatus,
    products,
    failures,
    notes,
  };
}
