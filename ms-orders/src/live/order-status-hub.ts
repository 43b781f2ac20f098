import type { Logger, MetricsRegistry } from '@marketshare/platform';
import mongoose from 'mongoose';
import { Gauge } from 'prom-client';
import type { OrderDocument, OrdersModels } from '../store/models.js';
import { listenToStatusChanges, type StatusListener, type StatusSnapshot } from './status-changes.js';

export interface OrderStatusHubOptions {
  models: OrdersModels;
  logger: Logger;
  registry: MetricsRegistry;
  /** How often the watched orders are looked up for changes made by other processes. */
  pollIntervalMs: number;
  /** Subscriptions (open streams) this process serves at most. */
  maxSubscribers: number;
}

interface Watch {
  listeners: Set<StatusListener>;
  /** The newest snapshot seen; a new subscriber gets it at once. */
  latest: StatusSnapshot | undefined;
}

/** What is read of a watched order: its status and history. */
type WatchedDocument = Pick<OrderDocument, '_id' | 'version' | 'status' | 'statusHistory'>;

/**
 * The process's one source of status changes for live streams. Changes made here arrive at
 * once (announced by the order store); changes made by other instances are found by one query
 * per interval over the watched orders whose version moved past the one last seen. Each
 * snapshot carries the whole history, so a subscriber catches up from any of them; snapshots
 * older than the newest one seen are dropped. Polling runs only while someone watches.
 */
export class OrderStatusHub {
  private readonly watches = new Map<string, Watch>();
  private subscribers = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly options: OrderStatusHubOptions) {
    listenToStatusChanges(options.models, (snapshot) => this.offer(snapshot));
    const name = 'orders_live_streams_open';
    if (!options.registry.getSingleMetric(name)) {
      const gauge: Gauge = new Gauge({
        name,
        help: 'Live order status streams (server-sent events) this instance serves now.',
        registers: [options.registry],
        collect: () => gauge.set(this.subscribers),
      });
    }
  }

  /** Undefined when the process already serves its maximum of subscriptions. */
  subscribe(orderId: string, listener: StatusListener): (() => void) | undefined {
    if (this.subscribers >= this.options.maxSubscribers) return undefined;
    let watch = this.watches.get(orderId);
    if (!watch) {
      watch = { listeners: new Set(), latest: undefined };
      this.watches.set(orderId, watch);
    }
    watch.listeners.add(listener);
    this.subscribers += 1;
    if (watch.latest) listener(watch.latest);
    this.startPolling();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.subscribers -= 1;
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0) this.watches.delete(orderId);
      if (this.watches.size === 0) this.stopPolling();
    };
  }

  private offer(snapshot: StatusSnapshot): void {
    const watch = this.watches.get(snapshot.orderId);
    if (!watch || (watch.latest && watch.latest.version >= snapshot.version)) return;
    watch.latest = snapshot;
    for (const listener of [...watch.listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        this.options.logger.warn({ err: error, orderId: snapshot.orderId }, 'live status listener failed');
      }
    }
  }

  private startPolling(): void {
    if (this.timer || this.polling) return;
    this.timer = setTimeout(() => void this.poll(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  private stopPolling(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    this.polling = true;
    try {
      const moved = await this.findMoved();
      for (const document of moved) this.offer(snapshotOf(document));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'live status poll failed; trying again');
    } finally {
      this.polling = false;
      if (this.watches.size > 0) this.startPolling();
    }
  }

  /** One query: the watched orders, grouped by the version last seen, that are past it. */
  private async findMoved(): Promise<WatchedDocument[]> {
    const idsBySeenVersion = new Map<number, string[]>();
    for (const [orderId, watch] of this.watches) {
      const seen = watch.latest?.version ?? -1;
      idsBySeenVersion.set(seen, [...(idsBySeenVersion.get(seen) ?? []), orderId]);
    }
    if (idsBySeenVersion.size === 0) return [];
    const clauses = [...idsBySeenVersion].map(([seen, ids]) => ({
      _id: mongoose.trusted({ $in: ids }),
      version: mongoose.trusted({ $gt: seen }),
    }));
    return this.options.models.orders
      .find({ $or: clauses }, { version: 1, status: 1, statusHistory: 1 })
      .lean<WatchedDocument[]>();
  }
}

function snapshotOf(document: WatchedDocument): StatusSnapshot {
  return {
    orderId: document._id,
    version: document.version,
    status: document.status,
    history: document.statusHistory.map((change) => ({
      status: change.status,
      at: change.at,
      by: change.by,
    })),
  };
}
