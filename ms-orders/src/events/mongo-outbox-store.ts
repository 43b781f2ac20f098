import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { ClaimedOutboxRow, OutboxStore } from '@marketshare/platform/outbox';
import type { OrdersModels } from '../store/models.js';

export interface MongoOutboxStoreOptions {
  /**
   * How long one claim holds an order's outbox. It must outlast a whole batch (the
   * publisher's wait for a channel plus its confirm timeout): a lease that runs out while its
   * batch is still being confirmed lets another instance send the same events again.
   */
  leaseMs: number;
}

interface LeasedOrder {
  _id: string;
  outbox: {
    id: string;
    type: string;
    occurredAt: string;
    data: unknown;
    headers?: unknown;
    sentAt?: Date | null;
  }[];
}

const pendingEvent = () => mongoose.trusted({ $elemMatch: { sentAt: null } });

/**
 * The single-document outbox (pending events inside each order document) behind the
 * platform's OutboxStore, so ms-orders runs the same OutboxRelay as the SQL services.
 *
 * What stands in for the SQL claim (`FOR UPDATE SKIP LOCKED` in a transaction): each order
 * with pending events is claimed with a conditional findOneAndUpdate that sets a lease
 * (`outboxLeaseUntil`, `outboxLeaseOwner`) only where none is held or it has run out, so
 * several relays share the orders and never hold the same one at once. The "rollback" of a
 * batch is simply not marking its events: marks are written one by one, by event id, only
 * for events RabbitMQ confirmed, and the lease is given back whatever happened.
 *
 * An order's events are handed over in array order (the order they were written), and the
 * relay sends a batch on one confirm channel in that order. If one event of an order fails
 * while a later one of the same order is confirmed (a per-message nack or no route, not an
 * outage, which fails them all), the earlier one follows on the next tick: consumers see
 * status changes with their `occurredAt` and the order's status, not by arrival alone.
 */
export function mongoOutboxStore(models: OrdersModels, options: MongoOutboxStoreOptions): OutboxStore {
  const orders = models.orders;

  async function claimOne(owner: string): Promise<LeasedOrder | null> {
    const now = new Date();
    return orders
      .findOneAndUpdate(
        {
          outbox: pendingEvent(),
          $or: [{ outboxLeaseUntil: null }, { outboxLeaseUntil: mongoose.trusted({ $lt: now }) }],
        },
        { $set: { outboxLeaseUntil: new Date(now.getTime() + options.leaseMs), outboxLeaseOwner: owner } },
        // Never-claimed orders first, then those given back longest ago: an order whose events
        // keep failing (no route, say) takes its turn instead of starving everyone behind it.
        { new: true, sort: { outboxLeaseUntil: 1, updatedAt: 1 }, projection: { outbox: 1 } },
      )
      .lean<LeasedOrder>();
  }

  async function releaseLeases(owner: string, orderIds: string[]): Promise<void> {
    if (orderIds.length === 0) return;
    await orders.updateMany(
      { _id: mongoose.trusted({ $in: orderIds }), outboxLeaseOwner: owner },
      // Expired at once (claimable on the next tick), and stamped for the round-robin above.
      { $set: { outboxLeaseUntil: new Date(), outboxLeaseOwner: null } },
    );
  }

  return {
    async withClaimedBatch(limit, work) {
      const owner = randomUUID();
      const orderOfEvent = new Map<string, string>();
      const leased: string[] = [];
      try {
        const rows: ClaimedOutboxRow[] = [];
        while (rows.length < limit) {
          const order = await claimOne(owner);
          if (!order) break;
          leased.push(order._id);
          for (const event of order.outbox) {
            if (event.sentAt) continue;
            orderOfEvent.set(event.id, order._id);
            rows.push({
              id: event.id,
              routingKey: event.type,
              envelope: { id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data },
              headers: event.headers ?? {},
            });
          }
        }
        return await work({
          rows,
          async markPublished(ids) {
            const sentAt = new Date();
            // Positional update by event id: marks exactly the confirmed element, nothing else.
            await Promise.all(
              ids.map((id) =>
                orders.updateOne(
                  { _id: orderOfEvent.get(id), 'outbox.id': id },
                  {
                    $set: { 'outbox.$.sentAt': sentAt, 'outbox.$.lastError': null },
                    $inc: { 'outbox.$.attempts': 1 },
                  },
                ),
              ),
            );
          },
          async recordFailure(id, message) {
            await orders.updateOne(
              { _id: orderOfEvent.get(id), 'outbox.id': id },
              { $set: { 'outbox.$.lastError': message }, $inc: { 'outbox.$.attempts': 1 } },
            );
          },
        });
      } finally {
        await releaseLeases(owner, leased);
      }
    },

    async countBacklog() {
      const [result] = await orders.aggregate<{ backlog: number }>([
        { $match: { outbox: pendingEvent() } },
        { $unwind: '$outbox' },
        { $match: { 'outbox.sentAt': null } },
        { $group: { _id: null, backlog: { $sum: 1 } } },
      ]);
      return result?.backlog ?? 0;
    },

    async purgePublished(retainMs) {
      // Sent events stay in the order for a while (to look at), then leave the document.
      const cutoff = new Date(Date.now() - retainMs);
      await orders.updateMany(
        { 'outbox.sentAt': mongoose.trusted({ $lt: cutoff }) },
        { $pull: { outbox: { sentAt: mongoose.trusted({ $lt: cutoff }) } } },
      );
    },
  };
}
