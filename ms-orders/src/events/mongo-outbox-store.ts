import { randomUUID } from 'node:crypto';
import type { Collection, Connection, mongo } from 'mongoose';
import type { ClaimedOutboxRow, OutboxStore } from '@marketshare/platform/outbox';

export interface MongoOutboxStoreOptions {
  /**
   * How long one claim holds a document's outbox. It must outlast a whole batch (the
   * publisher's wait for a channel plus its confirm timeout): a lease that runs out while its
   * batch is still being confirmed lets another instance send the same events again.
   */
  leaseMs: number;
}

/** What a document needs to carry a single-document outbox (orders and reviews have it). */
export interface OutboxFields {
  _id: string;
  outbox: {
    id: string;
    type: string;
    occurredAt: string;
    data: unknown;
    headers?: unknown;
    sentAt?: Date | null;
    attempts?: number;
    lastError?: string | null;
  }[];
  outboxLeaseUntil?: Date | null;
  outboxLeaseOwner?: string | null;
  updatedAt: Date;
}

/**
 * A collection whose documents carry the outbox fields. The driver's collection under a model,
 * not the model: one type for models of different document types (every filter here is our
 * own, so mongoose's filter sanitizing has nothing to do).
 */
export type OutboxCollection = Collection<OutboxFields>;

/** The collection of a model whose schema has the outbox fields (as OrderSchema, ReviewSchema). */
export function outboxCollectionOf(model: { db: Connection; collection: Collection }): OutboxCollection {
  // The connection keeps one collection object per name: this is the model's own, typed.
  return model.db.collection<OutboxFields>(model.collection.collectionName);
}

type LeasedDocument = Pick<OutboxFields, '_id' | 'outbox'>;

const pendingEvent = { $elemMatch: { sentAt: null } };

/** Where a claimed event lives, to mark it by its id afterwards. */
interface EventHome {
  collection: OutboxCollection;
  documentId: string;
}

/**
 * The single-document outbox (pending events inside each document of several collections:
 * orders, reviews) behind the platform's OutboxStore, so ms-orders runs one OutboxRelay, the
 * same as the SQL services, over all of them.
 *
 * What stands in for the SQL claim (`FOR UPDATE SKIP LOCKED` in a transaction): documents
 * with pending events are claimed with a conditional update that sets a lease
 * (`outboxLeaseUntil`, `outboxLeaseOwner`) only where none is held or it has run out, so
 * several relays share the documents and never hold the same one at once. The "rollback" of a
 * batch is simply not marking its events: marks are written one by one, by event id, only
 * for events RabbitMQ confirmed, and the leases are given back whatever happened.
 *
 *
 * A document's events are handed over in array order (the order they were written), and the
 * relay sends a batch on one confirm channel in that order. If one event of a document fails
 * while a later one of the same document is confirmed (a per-message nack or no route, not an
 * outage, which fails them all), the earlier one follows on the next tick: consumers see
 * status changes with their `occurredAt` and the order's status, not by arrival alone.
 */
export function mongoOutboxStore(
  collections: readonly OutboxCollection[],
  options: MongoOutboxStoreOptions,
): OutboxStore {
  /**
   * Leases up to `maxDocuments` documents with pending events in three round trips, whatever
   * their number: pick candidates, lease those still free (each conditional per document, so a
   * document is never held by two relays), read back what this batch holds.
   */
  async function claimDocuments(
    collection: OutboxCollection,
    owner: string,
    maxDocuments: number,
  ): Promise<LeasedDocument[]> {
    const now = new Date();
    const free = () => ({
      outbox: pendingEvent,
      $or: [{ outboxLeaseUntil: null }, { outboxLeaseUntil: { $lt: now } }],
    });
    const candidates = await collection
      // Never-claimed documents first, then those given back longest ago: one whose events
      // keep failing (no route, say) takes its turn instead of starving everyone behind it.
      .find(free(), {
        projection: { _id: 1 },
        sort: { outboxLeaseUntil: 1, updatedAt: 1 },
        limit: maxDocuments,
      })
      .toArray();
    if (candidates.length === 0) return [];
    const ids = candidates.map((candidate) => candidate._id);
    await collection.updateMany(
      { _id: { $in: ids }, ...free() },
      { $set: { outboxLeaseUntil: new Date(now.getTime() + options.leaseMs), outboxLeaseOwner: owner } },
    );
    const leased = await collection
      .find({ _id: { $in: ids }, outboxLeaseOwner: owner }, { projection: { outbox: 1 } })
      .toArray();
    // In the candidates' order, so documents keep their turn.
    const byId = new Map(leased.map((document) => [document._id, document]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async function releaseLeases(owner: string, leased: Map<OutboxCollection, string[]>): Promise<void> {
    await Promise.all(
      [...leased].map(([collection, ids]) =>
        collection.updateMany(
          { _id: { $in: ids }, outboxLeaseOwner: owner },
          // Expired at once (claimable on the next tick), and stamped for the round-robin above.
          { $set: { outboxLeaseUntil: new Date(), outboxLeaseOwner: null } },
        ),
      ),
    );
  }

  /**
   * Claims documents from every collection, an equal share of the batch each, so a flood of
   * orders never keeps reviews waiting, nor the other way round. A document's pending events
   * all go in the same batch, so a batch may hold a few more rows than `limit`.
   */
  async function claimRows(
    limit: number,
    owner: string,
    homes: Map<string, EventHome>,
    leased: Map<OutboxCollection, string[]>,
  ): Promise<ClaimedOutboxRow[]> {
    const share = Math.max(1, Math.ceil(limit / collections.length));
    const claimed = await Promise.all(
      collections.map(async (collection) => {
        const documents = await claimDocuments(collection, owner, share);
        if (documents.length > 0)
          leased.set(
            collection,
            documents.map((document) => document._id),
          );
        return { collection, documents };
      }),
    );
    return claimed.flatMap(({ collection, documents }) =>
      documents.flatMap((document) => {
        // One home per document, shared by its events: marks are grouped by it.
        const home: EventHome = { collection, documentId: document._id };
        return document.outbox.flatMap((event) => {
          if (event.sentAt) return [];
          homes.set(event.id, home);
          return [
            {
              id: event.id,
              routingKey: event.type,
              envelope: { id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data },
              headers: event.headers ?? {},
            },
          ];
        });
      }),
    );
  }

  /**
   * One update per document for the given events of it, matched by event id (array filters):
   * exactly those elements change. The filter is the document's id alone, which every server
   * answers from the _id index (a positional `outbox.id` filter made the stand-in scan).
   */
  async function updateEvents(
    home: EventHome,
    eventIds: string[],
    update: mongo.UpdateFilter<OutboxFields>,
  ): Promise<void> {
    await home.collection.updateOne({ _id: home.documentId }, update, {
      arrayFilters: [{ 'event.id': { $in: eventIds } }],
    });
  }

  return {
    async withClaimedBatch(limit, work) {
      const owner = randomUUID();
      const homes = new Map<string, EventHome>();
      const leased = new Map<OutboxCollection, string[]>();
      /** The events of `ids` grouped by the document they live in. */
      const eventsByDocument = (ids: readonly string[]) => {
        const grouped = new Map<EventHome, string[]>();
        for (const id of ids) {
          const home = homes.get(id);
          if (home) grouped.set(home, [...(grouped.get(home) ?? []), id]);
        }
        return grouped;
      };
      try {
        const rows = await claimRows(limit, owner, homes, leased);
        return await work({
          rows,
          async markPublished(ids) {
            const sentAt = new Date();
            await Promise.all(
              [...eventsByDocument(ids)].map(([home, eventIds]) =>
                updateEvents(home, eventIds, {
                  $set: { 'outbox.$[event].sentAt': sentAt, 'outbox.$[event].lastError': null },
                  $inc: { 'outbox.$[event].attempts': 1 },
                }),
              ),
            );
          },
          async recordFailure(id, message) {
            const home = homes.get(id);
            if (!home) return;
            await updateEvents(home, [id], {
              $set: { 'outbox.$[event].lastError': message },
              $inc: { 'outbox.$[event].attempts': 1 },
            });
          },
        });
      } finally {
        await releaseLeases(owner, leased);
      }
    },

    async measureBacklog() {
      const perCollection = await Promise.all(
        collections.map(async (collection) => {
          const [result] = await collection
            .aggregate<{ events: number; oldestOccurredAt: string | null }>([
              { $match: { outbox: pendingEvent } },
              { $unwind: '$outbox' },
              { $match: { 'outbox.sentAt': null } },
              // occurredAt is an ISO-8601 UTC string: its minimum is the earliest instant.
              {
                $group: { _id: null, events: { $sum: 1 }, oldestOccurredAt: { $min: '$outbox.occurredAt' } },
              },
            ])
            .toArray();
          return result;
        }),
      );
      const events = perCollection.reduce((sum, result) => sum + (result?.events ?? 0), 0);
      const oldest = perCollection
        .flatMap((result) => (result?.oldestOccurredAt ? [Date.parse(result.oldestOccurredAt)] : []))
        .filter(Number.isFinite);
      if (oldest.length === 0) return { events, oldestAgeSeconds: 0 };
      // Against this host's clock: the events were stamped by this service's hosts, and MongoDB
      // has no clock to ask here. Never below 0 should another host's clock run ahead.
      return { events, oldestAgeSeconds: Math.max(0, (Date.now() - Math.min(...oldest)) / 1000) };
    },

    async purgePublished(retainMs) {
      // Sent events stay in their document for a while (to look at), then leave it.
      const cutoff = new Date(Date.now() - retainMs);
      await Promise.all(
        collections.map((collection) =>
          collection.updateMany(
            { 'outbox.sentAt': { $lt: cutoff } },
            { $pull: { outbox: { sentAt: { $lt: cutoff } } } },
          ),
        ),
      );
    },
  };
}
