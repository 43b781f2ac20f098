import mongoose from 'mongoose';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import { withCapturedTraceContext } from '../events/trace-context.js';
import type { Actor, Order, OrderStatus, StatusChange } from '../domain/orders.js';
import { announceStatusChange } from '../live/status-changes.js';
import type { OrderDocument, OrdersModels } from './models.js';

export interface NewOrder extends Order {
  checkoutId: string;
  paymentReference: string | null;
  reservationFollowUp: 'release' | 'confirm' | null;
  outbox: EventEnvelope[];
}

export interface OrderPosition {
  createdAt: Date;
  id: string;
}

export type ReservationFollowUp = 'release' | 'confirm';

type StoredOrder = OrderDocument & { _id: string };

function toOrder(document: StoredOrder): Order {
  return {
    id: document._id,
    consumerId: document.consumerId,
    sellerId: document.sellerId,
    status: document.status,
    currency: document.currency,
    items: document.items.map((item) => ({
      productId: item.productId,
      name: item.name,
      quantity: item.quantity,
      unitPriceMinor: item.unitPriceMinor,
      lineTotalMinor: item.lineTotalMinor,
    })),
    totalMinor: document.totalMinor,
    platformFeeMinor: document.platformFeeMinor,
    statusHistory: document.statusHistory.map((change) => ({
      status: change.status, // written from OrderStatus values only
      at: change.at,
      by: change.by,
    })),
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

const ownerFilter = (actor: Actor) =>
  actor.role === 'consumer' ? { consumerId: actor.id } : { sellerId: actor.id };

/** Orders in MongoDB: one document per order, carrying its history and its pending events. */
export class MongoOrderStore {
  /** `onEventsWritten` runs after every write that added events (it wakes the outbox relay). */
  constructor(
    private readonly models: OrdersModels,
    private readonly onEventsWritten: () => void = () => undefined,
  ) {}

  async insert(orders: NewOrder[]): Promise<void> {
    if (orders.length === 0) return;
    await this.insertDocuments(orders);
    this.onEventsWritten();
  }

  private async insertDocuments(orders: NewOrder[]): Promise<void> {
    await this.models.orders.insertMany(
      orders.map((order) => ({
        _id: order.id,
        checkoutId: order.checkoutId,
        consumerId: order.consumerId,
        sellerId: order.sellerId,
        status: order.status,
        currency: order.currency,
        items: order.items,
        totalMinor: order.totalMinor,
        platformFeeMinor: order.platformFeeMinor,
        paymentReference: order.paymentReference,
        statusHistory: order.statusHistory,
        reservationFollowUp: order.reservationFollowUp,
        outbox: order.outbox.map(withCapturedTraceContext),
        createdAt: order.createdAt,
        updatedAt: order.updatedAt,
      })),
      { ordered: true },
    );
  }

  async findById(id: string): Promise<Order | undefined> {
    const document = await this.models.orders.findById(id).lean<StoredOrder>();
    return document ? toOrder(document) : undefined;
  }

  async findVisible(id: string, actor: Actor): Promise<Order | undefined> {
    const document = await this.models.orders.findOne({ _id: id, ...ownerFilter(actor) }).lean<StoredOrder>();
    return document ? toOrder(document) : undefined;
  }

  async countByIds(ids: string[]): Promise<number> {
    return this.models.orders.countDocuments({ _id: mongoose.trusted({ $in: ids }) });
  }

  /** Newest first; `after` is the last order of the previous page. */
  async list(actor: Actor, options: { limit: number; after?: OrderPosition; status?: OrderStatus }) {
    const filter: Record<string, unknown> = { ...ownerFilter(actor) };
    if (options.status) filter['status'] = options.status;
    if (options.after) {
      const { createdAt, id } = options.after;
      filter['$or'] = [
        { createdAt: mongoose.trusted({ $lt: createdAt }) },
        { createdAt, _id: mongoose.trusted({ $lt: id }) },
      ];
    }
    const documents = await this.models.orders
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(options.limit)
      .lean<StoredOrder[]>();
    return documents.map(toOrder);
  }

  /**
   * Moves the order from one of `from` (and `expectedVersion`, when given) to `change.status`
   * if the actor owns it, appending the history entry and the event in the same
   * single-document write. Undefined: nothing matched.
   */
  async transition(
    id: string,
    actor: Actor,
    from: OrderStatus[],
    change: StatusChange,
    event: EventEnvelope,
    followUp: ReservationFollowUp | null,
    expectedVersion?: number,
  ): Promise<Order | undefined> {
    const document = await this.models.orders
      .findOneAndUpdate(
        {
          _id: id,
          ...ownerFilter(actor),
          status: mongoose.trusted({ $in: from }),
          ...(expectedVersion === undefined ? {} : { version: expectedVersion }),
        },
        {
          // A new status voids the progression simulator's schedule made for the old one.
          $set: {
            status: change.status,
            updatedAt: change.at,
            reservationFollowUp: followUp,
            simulatedNextAt: null,
          },
          $push: { statusHistory: change, outbox: withCapturedTraceContext(event) },
          $inc: { version: 1 },
        },
        { new: true },
      )
      .lean<StoredOrder>();
    if (!document) return undefined;
    this.onEventsWritten();
    const order = toOrder(document);
    announceStatusChange(this.models, {
      orderId: order.id,
      version: document.version,
      status: order.status,
      history: order.statusHistory,
    });
    return order;
  }

  async clearFollowUp(id: string, followUp: ReservationFollowUp): Promise<void> {
    await this.models.orders.updateOne(
      { _id: id, reservationFollowUp: followUp },
      { $set: { reservationFollowUp: null } },
    );
  }

  /** Up to `limit` orders whose release or confirm ms-products has not heard yet (the sweep's work). */
  async withFollowUp(limit: number): Promise<{ id: string; followUp: ReservationFollowUp }[]> {
    const documents = await this.models.orders
      .find(
        { reservationFollowUp: mongoose.trusted({ $in: ['release', 'confirm'] }) },
        { reservationFollowUp: 1 },
      )
      .sort({ updatedAt: 1 })
      .limit(limit)
      .lean<{ _id: string; reservationFollowUp: ReservationFollowUp }[]>();
    return documents.map((document) => ({ id: document._id, followUp: document.reservationFollowUp }));
  }

  /** The events of an order not yet confirmed by RabbitMQ (the relay itself reads them in src/events). */
  async pendingEvents(id: string): Promise<EventEnvelope[]> {
    const document = await this.models.orders.findById(id, { outbox: 1 }).lean<StoredOrder>();
    const unsent = (document?.outbox ?? []).filter((event) => !event.sentAt);
    return unsent.map((event) => ({
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt,
      data: event.data,
    }));
  }
}
