/**
 * What the checkout benchmark buys with, all made through the gateway as people would: sellers
 * with products, consumers with access tokens, and the baskets the workers check out.
 */
import { randomUUID } from 'node:crypto';
import { demoLogin, type DemoTarget } from '../scripts/seed-demo.js';
import { fieldOf, mapLimited, requestJson } from './lib/http-json.js';

/** A password for the run's throwaway accounts (purged with the stack). */
const PASSWORD = 'bench checkout password 2024';
/** bcrypt (cost 12) runs for every registration and login: more at once only queues on 2 CPUs. */
const SIGN_UP_CONCURRENCY = 2;
/** On a busy machine ms-auth's credential check can time out (503): tried again after 1, 2, 4 s. */
const SIGN_UP_ATTEMPTS = 4;

export interface Person {
  username: string;
  token: string;
}

export interface BenchProduct {
  id: string;
  name: string;
  sellerIndex: number;
  initialStock: number;
  /** A stage's contended product: little stock, so it sells out during its stage. */
  scarceForStage: string | null;
  /** A measured stage's scarce product: the check is only contended once it has sold out. */
  mustSellOut: boolean;
}

export interface CheckoutFixture {
  sellers: Person[];
  consumers: Person[];
  /** Per seller: products with stock for the whole run. */
  plentiful: BenchProduct[][];
  /** Per stage label: its scarce product. */
  scarce: Map<string, BenchProduct>;
  products: BenchProduct[];
}

export interface FixtureOptions {
  sellers: number;
  productsPerSeller: number;
  plentifulStock: number;
  scarceStock: number;
  consumers: number;
  /** Stages, in order; each gets its own scarce product. */
  stages: { label: string; warmup: boolean }[];
}

export interface BasketItem {
  productId: string;
  quantity: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `attempt(n)` until it resolves, SIGN_UP_ATTEMPTS times at most, waiting longer each time. */
async function withRetries<T>(attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= SIGN_UP_ATTEMPTS) throw error;
      await sleep(1000 * 2 ** (n - 1));
    }
  }
}

async function register(target: DemoTarget, role: 'seller' | 'consumer', username: string, n: number) {
  const registered = await requestJson(`${target.gatewayUrl}/api/users`, {
    json: {
      role,
      username,
      email: `${username}@bench.marketshare.test`,
      companyName: `${username.replace(/[_.-]/g, ' ')} GmbH`,
      password: PASSWORD,
    },
  });
  // A retry finds the account an attempt that timed out on our side made after all.
  if (registered.status === 201 || (registered.status === 409 && n > 1)) return;
  throw new Error(`registering ${username}: ${registered.status} ${JSON.stringify(registered.body)}`);
}

async function signUp(target: DemoTarget, role: 'seller' | 'consumer', username: string): Promise<Person> {
  await withRetries((n) => register(target, role, username, n));
  return { username, token: await logIn(target, { username }) };
}

/** A fresh access token (password grant of the frontend client), tried again on a busy machine. */
export function logIn(target: DemoTarget, person: Pick<Person, 'username'>): Promise<string> {
  return withRetries(() => demoLogin(target, person.username, PASSWORD));
}

/** A retry after a lost answer may leave an extra product behind: never bought, so never checked. */
function createProduct(
  target: DemoTarget,
  seller: Person,
  product: { name: string; priceMinor: number; stock: number },
): Promise<string> {
  return withRetries(() => createProductOnce(target, seller, product));
}

async function createProductOnce(
  target: DemoTarget,
  seller: Person,
  product: { name: string; priceMinor: number; stock: number },
): Promise<string> {
  const created = await requestJson(`${target.gatewayUrl}/api/products`, {
    headers: { authorization: `Bearer ${seller.token}` },
    json: { ...product, category: 'Benchmark supplies', currency: 'EUR', description: 'Checkout benchmark' },
  });
  const id = fieldOf(created.body, 'id');
  if (created.status !== 201 || typeof id !== 'string') {
    throw new Error(`creating ${product.name}: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return id;
}

export async function prepareFixture(target: DemoTarget, options: FixtureOptions): Promise<CheckoutFixture> {
  const run = randomUUID().slice(0, 6);
  const people = [
    ...Array.from({ length: options.sellers }, (_, i) => ({ role: 'seller' as const, name: `s${i + 1}` })),
    ...Array.from({ length: options.consumers }, (_, i) => ({
      role: 'consumer' as const,
      name: `c${i + 1}`,
    })),
  ];
  const signedUp = await mapLimited(people, SIGN_UP_CONCURRENCY, (person) =>
    signUp(target, person.role, `bench_${run}_${person.name}`),
  );
  const sellers = signedUp.slice(0, options.sellers);
  const consumers = signedUp.slice(options.sellers);

  const plentiful: BenchProduct[][] = [];
  for (const [sellerIndex, seller] of sellers.entries()) {
    const own: BenchProduct[] = [];
    for (let k = 0; k < options.productsPerSeller; k += 1) {
      const name = `Bench part S${sellerIndex + 1}-${k + 1}`;
      const priceMinor = 1_250 + 375 * (sellerIndex * options.productsPerSeller + k);
      const id = await createProduct(target, seller, { name, priceMinor, stock: options.plentifulStock });
      own.push({
        id,
        name,
        sellerIndex,
        initialStock: options.plentifulStock,
        scarceForStage: null,
        mustSellOut: false,
      });
    }
    plentiful.push(own);
  }
  const scarce = new Map<string, BenchProduct>();
  for (const [index, stage] of options.stages.entries()) {
    const sellerIndex = index % sellers.length;
    const seller = sellers[sellerIndex];
    if (!seller) throw new Error('no sellers');
    const name = `Bench scarce part (${stage.label})`;
    const id = await createProduct(target, seller, { name, priceMinor: 9_900, stock: options.scarceStock });
    scarce.set(stage.label, {
      id,
      name,
      sellerIndex,
      initialStock: options.scarceStock,
      scarceForStage: stage.label,
      mustSellOut: !stage.warmup,
    });
  }
  return { sellers, consumers, plentiful, scarce, products: [...plentiful.flat(), ...scarce.values()] };
}

/** The kinds of basket, in the order each worker cycles through them. */
export const BASKET_KINDS = [
  'one product, 1–3 units (one order)',
  'two products of one seller (one order, two lines)',
  'two products of two sellers (two orders)',
  "the stage's scarce product, 1–2 units, and a product of another seller (two orders)",
] as const;

/**
 * The basket of a worker's turn: deterministic, spread over sellers and products so that
 * concurrent workers mostly buy different rows, except the scarce one, which they fight over.
 */
export function basketFor(
  fixture: CheckoutFixture,
  stage: string,
  worker: number,
  turn: number,
): BasketItem[] {
  const sellers = fixture.plentiful.length;
  const product = (seller: number, k: number): string => {
    const own = fixture.plentiful[seller % sellers] ?? [];
    const chosen = own[k % own.length];
    if (!chosen) throw new Error('a seller without products');
    return chosen.id;
  };
  const seller = (worker + turn) % sellers;
  const k = worker + Math.floor(turn / BASKET_KINDS.length);
  switch ((worker + turn) % BASKET_KINDS.length) {
    case 0:
      return [{ productId: product(seller, k), quantity: 1 + (turn % 3) }];
    case 1:
      return [
        { productId: product(seller, k), quantity: 1 },
        { productId: product(seller, k + 1), quantity: 2 },
      ];
    case 2:
      return [
        { productId: product(seller, k), quantity: 1 },
        { productId: product(seller + 1, k), quantity: 1 },
      ];
    default: {
      const scarce = fixture.scarce.get(stage);
      if (!scarce) throw new Error(`no scarce product for stage ${stage}`);
      const other = scarce.sellerIndex + 1 + (worker % Math.max(1, sellers - 1));
      return [
        { productId: scarce.id, quantity: 1 + (turn % 2) },
        { productId: product(other, k), quantity: 1 },
      ];
    }
  }
}
