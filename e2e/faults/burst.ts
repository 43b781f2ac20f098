/**
 * The load the faults meet: consumers registering and checking out scarce stock, cancelling
 * some of their orders, sellers moving theirs into delivery and delivering them. Bounded:
 * `shoppers` loops at once, `maxCheckouts` in all, and it stops when told. What the services
 * acknowledged (201 orders, 200 moves, 201 accounts) is kept for the invariants.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { field } from '../support/gateway-client.js';
import type { World } from '../support/world.js';
import type { FaultConfig } from './config.js';
import type { RegisteredAccount } from './model.js';
import type { Actor, Recorder } from './recorder.js';

/** Pauses between one shopper's turns and one seller's: pacing, not a timing assumption. */
const SHOPPER_PAUSE_MS = 100;
const SELLER_PAUSE_MS = 400;
const REGISTRAR_PAUSE_MS = 1_000;
/** Registrations at once: each is a bcrypt hash in ms-users, on a machine of two cores. */
const REGISTRATIONS_AT_ONCE = 4;

const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(Math.random() * items.length)];

export class Burst {
  readonly consumers: Actor[] = [];
  readonly sellers: Actor[] = [];
  readonly accounts: RegisteredAccount[] = [];
  readonly consumerEmails = new Map<string, string>();
  readonly initialStock = new Map<string, number>();
  readonly acknowledgedOrders: string[] = [];
  readonly acknowledgedMoves: { orderId: string; status: string }[] = [];
  /** A consumer's orders last seen RECEIVED: what it may cancel. */
  private readonly cancellable = new Map<string, string[]>();
  private checkoutsSent = 0;
  private stopping = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly w: World,
    private readonly recorder: Recorder,
    private readonly config: FaultConfig,
  ) {}

  /** Registers an account through the gateway; undefined when it was not answered 201. */
  async register(role: 'seller' | 'consumer'): Promise<Actor | undefined> {
    const account = this.w.newAccount(role);
    const answer = await this.recorder.call('register', '/api/users', { method: 'POST', json: account });
    if (answer.status !== 201) return undefined;
    const actor: Actor = { id: String(field(answer.body, 'id')), role };
    this.accounts.push({ id: actor.id, email: account.email, companyName: account.companyName });
    if (role === 'consumer') {
      this.consumerEmails.set(actor.id, account.email);
      this.consumers.push(actor);
    } else this.sellers.push(actor);
    return actor;
  }

  /** Sellers with their scarce products, and the first consumers. Throws if any of it fails. */
  async prepare(): Promise<void> {
    for (let index = 0; index < this.config.sellers; index += 1) {
      const seller = await this.register('seller');
      if (!seller) throw new Error('registering a seller failed before any fault');
      for (let n = 0; n < this.config.productsPerSeller; n += 1)
        await this.createProduct(seller, this.config.stock);
    }
    let left = this.config.consumers;
    const registrar = async () => {
      while (left > 0) {
        left -= 1; // taken before the await, so the other registrars see it at once
        if (!(await this.register('consumer')))
          throw new Error('registering a consumer failed before any fault');
      }
    };
    await Promise.all(Array.from({ length: REGISTRATIONS_AT_ONCE }, registrar));
  }

  async createProduct(seller: Actor, stock: number): Promise<string> {
    const answer = await this.recorder.call('create-product', '/api/products', {
      actor: seller,
      method: 'POST',
      json: {
        name: `Fault bolt ${randomUUID().slice(0, 8)}`,
        description: 'Zinc-plated steel, DIN 933.',
        category: 'Industrial supplies',
        priceMinor: 1_250,
        currency: 'EUR',
        stock,
      },
    });
    if (answer.status !== 201)
      throw new Error(`creating a product answered ${answer.status}: ${answer.text}`);
    const id = String(field(answer.body, 'id'));
    this.initialStock.set(id, stock);
    return id;
  }

  /** One checkout of the given items; the orders of a 201, recorded as acknowledged. */
  async checkout(consumer: Actor, items: { productId: string; quantity: number }[]): Promise<string[]> {
    this.checkoutsSent += 1;
    const answer = await this.recorder.call('checkout', '/api/orders/checkout', {
      actor: consumer,
      method: 'POST',
      json: { items },
      headers: { 'idempotency-key': randomUUID() },
    });
    if (answer.status !== 201) return [];
    const orders = field(answer.body, 'orders');
    const statuses: string[] = [];
    for (const order of Array.isArray(orders) ? orders : []) {
      const id = String(field(order, 'id'));
      const status = String(field(order, 'status'));
      this.acknowledgedOrders.push(id);
      statuses.push(status);
      if (status === 'RECEIVED')
        this.cancellable.set(consumer.id, [...(this.cancellable.get(consumer.id) ?? []), id]);
    }
    return statuses;
  }

  /** Runs the loops until stop(). */
  start(): void {
    this.loops = [
      ...Array.from({ length: this.config.shoppers }, () => this.shop()),
      ...this.sellers.map((seller) => this.fulfil(seller)),
      this.registerLate(),
    ];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private get running(): boolean {
    return !this.stopping && this.checkoutsSent < this.config.maxCheckouts;
  }

  private async shop(): Promise<void> {
    const productIds = [...this.initialStock.keys()];
    while (this.running) {
      const consumer = pick(this.consumers);
      if (!consumer) break;
      const mine = this.cancellable.get(consumer.id) ?? [];
      if (mine.length > 0 && Math.random() < this.config.cancelShare) await this.cancel(consumer, mine);
      else {
        const first = pick(productIds) ?? '';
        const second = pick(productIds.filter((id) => id !== first));
        const items = [first, ...(second !== undefined && Math.random() < 0.4 ? [second] : [])].map(
          (productId) => ({
            productId,
            quantity: 1 + Math.floor(Math.random() * 2),
          }),
        );
        await this.checkout(consumer, items);
      }
      await sleep(SHOPPER_PAUSE_MS);
    }
  }

  private async cancel(consumer: Actor, mine: string[]): Promise<void> {
    const orderId = mine.shift() ?? '';
    const answer = await this.move('cancel', consumer, orderId, 'CANCELLED');
    // Not cancelled for a reason other than the seller being first: it may be tried again.
    if (answer !== 200 && answer !== 409) mine.push(orderId);
  }

  private async move(
    operation: 'cancel' | 'advance',
    actor: Actor,
    orderId: string,
    status: string,
  ): Promise<number> {
    const answer = await this.recorder.call(operation, `/api/orders/${orderId}/status`, {
      actor,
      method: 'POST',
      json: { status },
    });
    if (answer.status === 200) this.acknowledgedMoves.push({ orderId, status });
    return answer.status;
  }

  /** A seller moves one order a turn: the oldest received into delivery, or one in delivery to delivered. */
  private async fulfil(seller: Actor): Promise<void> {
    const NEXT: Record<string, string> = { RECEIVED: 'IN_DELIVERY', IN_DELIVERY: 'DELIVERED' };
    while (this.running) {
      const from = Math.random() < 0.5 ? 'RECEIVED' : 'IN_DELIVERY';
      const page = await this.recorder.call('list-orders', `/api/orders?status=${from}&limit=5`, {
        actor: seller,
      });
      const items = field(page.body, 'items');
      const order = pick(Array.isArray(items) ? items : []);
      if (page.status === 200 && order !== undefined)
        await this.move('advance', seller, String(field(order, 'id')), NEXT[from] ?? '');
      await sleep(SELLER_PAUSE_MS);
    }
  }

  /** New consumers keep arriving while the faults happen; each shops once it is in. */
  private async registerLate(): Promise<void> {
    for (let n = 0; n < this.config.registrations && this.running; n += 1) {
      await this.register('consumer');
      await sleep(REGISTRAR_PAUSE_MS);
    }
  }
}
