import type { Logger } from '@marketshare/platform';
import { createEnvelope, EventTypes, type OrderStatusChanged } from '@marketshare/platform/contracts';
import type { MongoOrderStore, OrderPosition, ReservationFollowUp } from '../store/orders-store.js';
import { OrdersError } from './errors.js';
import { isLegalTransition, mayRequest, type Actor, type Order, type OrderStatus } from './orders.js';
import type { ProductsPort } from './ports.js';

const notFound = () => new OrdersError('not_found', 'order_not_found', 'No such order.');

/** What a status change needs to know of the order it moves. */
export type OrderToMove = Pick<Order, 'id' | 'consumerId' | 'sellerId' | 'status'>;

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
    const changed = await this.move(current, actor, to, actor.id);
    if (!changed) {
      // Someone else moved it between the read and the write.
      const now = await this.get(id, actor);
      throw illegal(now.status, to);
    }
    return changed;
  }

  /**
   * Moves the order as its seller would, recorded as made `by` someone acting for the seller
   * (the progression simulator). Only if it is still at `version`: undefined when it moved since.
   */
  async advanceForSeller(
    current: OrderToMove,
    to: OrderStatus,
    by: string,
    version: number,
  ): Promise<Order | undefined> {
    const seller: Actor = { id: current.sellerId, role: 'seller' };
    if (!mayRequest(seller, to)) throw new Error(`a seller does not move orders to ${to}`);
    return this.move(current, seller, to, by, version);
  }

  /** The one path of every status change: history, event and reservation follow-up together. */
  private async move(
    current: OrderToMove,
    actor: Actor,
    to: OrderStatus,
    by: string,
    version?: number,
  ): Promise<Order | undefined> {
    if (!isLegalTransition(current.status, to)) throw illegal(current.status, to);
    const at = new Date();
    const event = createEnvelope<OrderStatusChanged>(
      EventTypes.OrderStatusChanged,
      {
        orderId: current.id,
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
      current.id,
      actor,
      [current.status],
      { status: to, at, by },
      event,
      followUp,
      version,
    );
    if (changed && followUp) await this.tellProducts(current.id, followUp);
    return changed;
  }

  /** The order already carries the follow-up, so a failure here is retried by the sweep, not lost. */
  private async tellProducts(id: string, followUp: ReservationFollowUp): Promise<void> {
    try {
      if (followUp === 'release') await this.products.release(id);
      else if ((await this.products.confirm(id)) === 'expired') {
        // ms-products put the stock back (the reservation was never committed): nothing to retry.
        this.logger.warn({ orderId: id }, 'delivered order had lost its stock reservation');
      }
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
