import { createHash } from 'node:crypto';
import type { Logger } from '@marketshare/platform';
import { UpstreamUnavailableError } from '@marketshare/platform';
import type { MongoCartStore } from '../store/carts-store.js';
import {
  MongoCheckoutStore,
  type MongoOutstandingReleases,
  type StoredResponse,
} from '../store/checkouts-store.js';
import type { MongoOrderStore, NewOrder } from '../store/orders-store.js';
import { outcomeOfCreatedOrders, type CheckoutMetrics, type CheckoutOutcome } from './checkout-metrics.js';
import { buildOrder, orderItems, planOrders, type OrderPlan } from './checkout-plan.js';
import { OrdersError } from './errors.js';
import type { Order } from './orders.js';
import type {
  PaymentProvider,
  ProductSnapshot,
  ProductsPort,
  RequestedItem,
  ReservationOutcome,
} from './ports.js';

export interface CheckoutRequest {
  consumerId: string;
  idempotencyKey: string;
  /** Explicit items; undefined checks out the consumer's cart. */
  items: RequestedItem[] | undefined;
}

export interface CheckoutDeps {
  orders: MongoOrderStore;
  carts: MongoCartStore;
  checkouts: MongoCheckoutStore;
  outstandingReleases: MongoOutstandingReleases;
  products: ProductsPort;
  payments: PaymentProvider;
  metrics: CheckoutMetrics;
  logger: Logger;
  /** Shapes the orders into the response body stored for replays. */
  present: (orders: Order[]) => unknown;
  /** How long a replay waits for the request that holds its key. */
  replayWaitMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What identifies "the same body": the request's meaning, not its spelling (key order, spacing). */
function fingerprintOf(items: RequestedItem[] | undefined): string {
  const canonical =
    items === undefined ? 'cart' : JSON.stringify(items.map((i) => [i.productId, i.quantity]));
  return createHash('sha256').update(canonical).digest('hex');
}

/** A request that failed, for checkouts_total: refusals are the client's, the rest ours. */
function outcomeOfFailure(error: unknown): CheckoutOutcome {
  if (!(error instanceof OrdersError)) return 'error';
  return error.code === 'products_unavailable' ? 'products_unavailable' : 'refused';
}

/**
 * The checkout saga: reserve stock per seller, authorize payment, persist the orders with
 * their events. No multi-document transactions: every step is idempotent by order id, the
 * order ids are recorded before ms-products hears of them, and a failure releases them.
 */
export class Checkout {
  constructor(private readonly deps: CheckoutDeps) {}

  async run(request: CheckoutRequest): Promise<StoredResponse> {
    try {
      const { response, outcome } = await this.answer(request);
      this.deps.metrics.checkoutFinished(outcome);
      return response;
    } catch (error) {
      this.deps.metrics.checkoutFinished(outcomeOfFailure(error));
      throw error;
    }
  }

  private async answer(
    request: CheckoutRequest,
  ): Promise<{ response: StoredResponse; outcome: CheckoutOutcome }> {
    const id = MongoCheckoutStore.idFor(request.consumerId, request.idempotencyKey);
    const fingerprint = fingerprintOf(request.items);
    const deadline = Date.now() + this.deps.replayWaitMs;
    for (;;) {
      const claimed = await this.deps.checkouts.claim({
        id,
        consumerId: request.consumerId,
        idempotencyKey: request.idempotencyKey,
        fingerprint,
        pendingOrderIds: [],
      });
      if (claimed) return this.perform(id, request);
      const earlier = await this.deps.checkouts.find(id);
      if (earlier === undefined) continue; // abandoned meanwhile: claim it again
      if (earlier.fingerprint !== fingerprint) {
        throw new OrdersError(
          'unprocessable',
          'idempotency_key_reused',
          'This Idempotency-Key was used with a different request body.',
        );
      }
      if (earlier.state === 'completed' && earlier.response)
        return { response: earlier.response, outcome: 'replayed' };
      if (Date.now() >= deadline) {
        throw new OrdersError(
          'conflict',
          'checkout_in_progress',
          'A checkout with this key is still running.',
        );
      }
      await sleep(25);
    }
  }

  private async perform(
    checkoutId: string,
    request: CheckoutRequest,
  ): Promise<{ response: StoredResponse; outcome: CheckoutOutcome }> {
    let plans: OrderPlan[] = [];
    try {
      const fromCart = request.items === undefined;
      const items = request.items ?? (await this.deps.carts.lines(request.consumerId));
      if (items.length === 0)
        throw new OrdersError('conflict', 'cart_empty', 'There is nothing to check out.');
      const requested = items.map(({ productId, quantity }) => ({ productId, quantity }));
      const products = await this.snapshots(requested);
      plans = planOrders(requested, products);
      await this.deps.checkouts.recordPendingOrders(
        checkoutId,
        plans.map((plan) => plan.orderId),
      );
      const orders = await this.reserveAndPay(checkoutId, request.consumerId, plans, products);
      await this.deps.orders.insert(orders);
      if (fromCart) {
        const bought = orders.filter((order) => order.status === 'RECEIVED').flatMap((order) => order.items);
        await this.deps.carts.removeLines(
          request.consumerId,
          bought.map((item) => item.productId),
        );
      }
      const response = { status: 201, body: this.deps.present(orders) };
      await this.deps.checkouts.complete(checkoutId, response);
      return { response, outcome: outcomeOfCreatedOrders(orders.map((order) => order.status)) };
    } catch (error) {
      await this.compensate(plans.map((plan) => plan.orderId));
      await this.deps.checkouts.abandon(checkoutId);
      if (error instanceof UpstreamUnavailableError) {
        throw new OrdersError(
          'unavailable',
          'products_unavailable',
          'The catalogue is unavailable. Try again later.',
        );
      }
      throw error;
    }
  }

  private async snapshots(items: RequestedItem[]): Promise<Map<string, ProductSnapshot>> {
    const found = await Promise.all(items.map((item) => this.deps.products.findProduct(item.productId)));
    const missing = items.filter((_, index) => found[index] === undefined).map((item) => item.productId);
    if (missing.length > 0) {
      throw new OrdersError('conflict', 'product_unavailable', 'Some products are not for sale.', {
        productIds: missing,
      });
    }
    return new Map(found.flatMap((product) => (product ? [[product.id, product] as const] : [])));
  }

  private async reserveAndPay(
    checkoutId: string,
    consumerId: string,
    plans: OrderPlan[],
    products: Map<string, ProductSnapshot>,
  ): Promise<NewOrder[]> {
    const outcomes = await Promise.allSettled(
      plans.map((plan) => this.deps.products.reserve(plan.orderId, plan.items)),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    const now = new Date();
    return Promise.all(
      plans.map(async (plan, index) => {
        // Every outcome is fulfilled past the check above.
        const outcome = (outcomes[index] as PromiseFulfilledResult<ReservationOutcome>).value;
        if (outcome.outcome === 'refused') {
          const built = buildOrder(
            plan,
            consumerId,
            'OUT_OF_STOCK',
            orderItems(plan, products, undefined),
            now,
          );
          return this.toNew(built, checkoutId, null);
        }
        const items = orderItems(plan, products, outcome.items);
        const totalMinor = items.reduce((sum, item) => sum + item.lineTotalMinor, 0);
        const decision = await this.deps.payments.authorize({
          orderId: plan.orderId,
          consumerId,
          amountMinor: totalMinor,
          currency: plan.currency,
        });
        this.deps.metrics.paymentDecided(decision.approved ? 'approved' : 'declined');
        if (!decision.approved) {
          await this.deps.products.release(plan.orderId);
          return this.toNew(buildOrder(plan, consumerId, 'REJECTED', items, now), checkoutId, null);
        }
        // Ends ms-products' hold just before the order is stored; a failure aborts the checkout
        // and releases everything. Expired: ms-products put the stock back, the order lost it.
        if ((await this.deps.products.commit(plan.orderId)) === 'expired') {
          this.deps.logger.warn(
            { orderId: plan.orderId },
            'stock reservation expired before its order was stored',
          );
          const lost = orderItems(plan, products, undefined);
          return this.toNew(buildOrder(plan, consumerId, 'OUT_OF_STOCK', lost, now), checkoutId, null);
        }
        const built = buildOrder(plan, consumerId, 'RECEIVED', items, now);
        return this.toNew(built, checkoutId, decision.reference);
      }),
    );
  }

  private toNew(
    built: ReturnType<typeof buildOrder>,
    checkoutId: string,
    paymentReference: string | null,
  ): NewOrder {
    return { ...built.order, checkoutId, paymentReference, reservationFollowUp: null, outbox: [built.event] };
  }

  /** Releases every order id of a failed attempt; those ms-products did not hear are kept for the sweep. */
  private async compensate(orderIds: string[]): Promise<void> {
    if (orderIds.length === 0) return;
    const persisted = await this.deps.orders.countByIds(orderIds).catch(() => 0);
    if (persisted > 0) return; // the orders exist: their reservations belong to them now
    const results = await Promise.allSettled(orderIds.map((orderId) => this.deps.products.release(orderId)));
    // Not found may mean a reservation that timed out here is still on its way: keep those too.
    const unreleased = orderIds.filter((_, index) => {
      const result = results[index];
      return result?.status !== 'fulfilled' || result.value === 'not_found';
    });
    if (unreleased.length > 0) {
      this.deps.logger.warn({ orderIds: unreleased }, 'reservations left for the release sweep');
      await this.deps.outstandingReleases.add(unreleased);
    }
  }
}
