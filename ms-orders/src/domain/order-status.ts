import type { Logger } from '@marketshare/platform';
import { createEnvelope, EventTypes, type OrderStatusChanged } from '@marketshare/platform/contracts';
import type { MongoOrderStore, OrderPosition, ReservationFollowUp } from '../store/orders-store.js';
import { OrdersError } from './errors.js';
import { isLegalTransition, mayRequest, type Actor, type Order, type OrderStatus } from './orders.js';
import type { ProductsPort } from './ports.js';

const notFound = () => new OrdersError('not_found', 'order_not_found', 'No such order.');

const FOLLOW_UP: Partial<Record<OrderStatus, ReservationFollowUp>> = {
  CANCELLED: 'release',
  DELIVERED: 'confirm',
};

/** Reading orders and moving them through the status machine, for their consumer or seller only. */
export class OrderLifecycle {
  constructor(
    private readonly orders: MongoOrderStore,
    private readonly products: ProductsPort,
    private readonly logger: Logger,
  ) {}

  /** Another's order is reported as missing, never as forbidden: its existence is not told. */
  async get(id: string, actor: Actor): Promise<Order> {
    const order = await this.orders.findVisible(id, actor);
    if (!order) throw notFound();
    return order;
  }

  list(
    actor: Actor,
    options: { limit: number; after?: OrderPosition; status?: OrderStatus },
  ): Promise<Order[]> {
    return this.orders.list(actor, options);
  }

  async changeStatus(id: string, actor: Actor, to: OrderStatus): Promise<Order> {
    if (!mayRequest(actor, to)) {
      throw new OrdersError(
        'forbidden',
        'status_change_not_allowed',
        actor.role === 'seller'
          ? 'Sellers move orders into delivery and deliver them.'
          : 'Consumers may only cancel.',
      );
    }
    const current = await this.get(id, actor);
    if (!isLegalTransition(current.status, to)) throw illegal(current.status, to);
    const at = new Date();
    const event = createEnvelope<OrderStatusChanged>(
      EventTypes.OrderStatusChanged,
      {
        orderId: id,
        consumerId: current.consumerId,
        sellerId: current.sellerId,
        from: current.status,
        to,
        changedAt: at.toISOString(),
      },
      at,
    );
    const followUp = FOLLOW_UP[to] ?? null;
    const changed = await this.orders.transition(
      id,
      actor,
      [current.status],
      { status: to, at, by: actor.id },
      event,
      followUp,
    );
    if (!changed) {
      // Someone else moved it between the read and the write.
      const now = await this.get(id, actor);
      throw illegal(now.status, to);
    }
    if (followUp) await this.tellProducts(id, followUp);
    return changed;
  }

  /** The order already carries the follow-up, so a failure here is retried by the sweep, not lost. */
  private async tellProducts(id: string, followUp: ReservationFollowUp): Promise<void> {
    try {
      if (followUp === 'release') await this.products.release(id);
      else await this.products.confirm(id);
      await this.orders.clearFollowUp(id, followUp);
    } catch (error) {
      this.logger.warn({ err: error, orderId: id, followUp }, 'reservation follow-up left for the sweep');
    }
  }
}

function illegal(from: OrderStatus, to: OrderStatus): OrdersError {
  return new OrdersError('conflict', 'illegal_transition', `An order cannot go from ${from} to ${to}.`, {
    currentStatus: from,
  });
}
