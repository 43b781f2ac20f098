import { Gauge } from 'prom-client';
import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { validateEnvelope } from '../contracts/index.js';
import type { EventEnvelope } from '../contracts/index.js';
import type { MetricsRegistry } from '../metrics-registry.js';
import type { EventPublisher, PublishHeaders } from '../rabbit/index.js';
import { mysqlOutboxStore } from './mysql-store.js';
import type { ClaimedBatch, OutboxStore } from './store.js';

/** Where the outbox lives: a MySQL pool (the table of OUTBOX_MIGRATION_SQL) or any store, e.g. pgOutboxStore(pool). */
export type OutboxSource = { pool: Pool; store?: never } | { store: OutboxStore; pool?: never };

export type OutboxRelayOptions = OutboxSource & {
  publisher: EventPublisher;
  logger: Logger;
  registry: MetricsRegistry;
  /** rows sent per transaction (default 100) */
  batchSize?: number;
  /** how often the table is polled when nobody calls notify() (default 1 s) */
  pollIntervalMs?: number;
  /** published rows older than this are deleted (default 24 h) */
  retainPublishedMs?: number;
};

interface OutboxRow {
  id: string;
  routingKey: string;
  envelope: EventEnvelope<unknown>;
  headers: PublishHeaders;
}

const PURGE_EVERY_MS = 60_000;
/** Measuring the backlog is a query of its own: under load, once a second is plenty for its gauges. */
const BACKLOG_REFRESH_EVERY_MS = 1_000;
const MAX_ERROR_LENGTH = 2000;

interface BacklogGauges {
  events: Gauge;
  oldestAge: Gauge;
}

// Relays may share a registry (two on one table in tests), and prom-client refuses a name
// twice on one registry: the gauges are made once per registry.
const backlogGaugesByRegistry = new WeakMap<MetricsRegistry, BacklogGauges>();

function backlogGauges(registry: MetricsRegistry): BacklogGauges {
  let gauges = backlogGaugesByRegistry.get(registry);
  if (!gauges) {
    gauges = {
      events: new Gauge({
        name: 'outbox_backlog',
        help: 'Events in the outbox not yet confirmed by RabbitMQ',
        registers: [registry],
      }),
      oldestAge: new Gauge({
        name: 'outbox_oldest_event_age_seconds',
        help: 'How long the oldest event not yet confirmed by RabbitMQ has waited in the outbox, in seconds (0 when none waits)',
        registers: [registry],
      }),
    };
    backlogGaugesByRegistry.set(registry, gauges);
  }
  return gauges;
}

function toHeaders(value: unknown): PublishHeaders {
  const headers: PublishHeaders = {};
  if (typeof value !== 'object' || value === null) return headers;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
      headers[key] = item;
  }
  return headers;
}

/**
 * Sends outbox rows to RabbitMQ in creation order, from MySQL/MariaDB or PostgreSQL (the
 * database specifics live in an OutboxStore; the rules below are the same for both). Each batch is claimed with
 * `FOR UPDATE SKIP LOCKED`, so several instances share the work without sending a row
 * twice; a row is marked published only after the broker's confirm, and a failed row keeps
 * its place (attempts and last_error recorded) for the next tick.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly store: OutboxStore;
  private readonly batchSize: number;
  private readonly backlog: BacklogGauges;
  private running: Promise<void> | undefined;
  private stopping = false;
  private notified = false;
  private wake: (() => void) | undefined;
  private flushing: Promise<number> = Promise.resolve(0);
  private lastPurge = 0;
  private lastBacklogRefresh = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger.child({ component: 'outbox-relay' });
    this.store = options.store ? options.store : mysqlOutboxStore(options.pool);
    this.batchSize = options.batchSize ?? 100;
    this.backlog = backlogGauges(options.registry);
  }

  /** Starts the polling loop in the background. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Stops polling after the batch in progress (which finishes its confirms). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  /** Call after committing a transaction that enqueued events: sends them without waiting for the poll. */
  notify(): void {
    this.notified = true;
    this.wake?.();
  }

  /** Sends one batch now; resolves with how many rows were published. */
  flushOnce(): Promise<number> {
    // One batch at a time per instance: a concurrent call would only skip the locked rows.
    const next = this.flushing.catch(() => 0).then(() => this.flushBatch());
    this.flushing = next;
    return next;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.notified = false;
      let published = 0;
      try {
        published = await this.flushOnce();
        // Before a pause always, so the gauge never stays stale while the relay sleeps.
        await this.refreshBacklog(this.goesIdle(published));
        await this.purgeOccasionally();
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox relay tick failed');
      }
      if (this.goesIdle(published)) await this.sleep(this.options.pollIntervalMs ?? 1000);
    }
  }

  /** A full batch means more rows are probably waiting, as does a notify() meanwhile: go again at once. */
  private goesIdle(published: number): boolean {
    return published < this.batchSize && !this.notified;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private flushBatch(): Promise<number> {
    return this.store.withClaimedBatch(this.batchSize, (batch) => this.publishClaimed(batch));
  }

  private async publishClaimed(batch: ClaimedBatch): Promise<number> {
    if (batch.rows.length === 0) return 0;
    const claimed: OutboxRow[] = [];
    for (const row of batch.rows) {
      try {
        claimed.push({
          id: row.id,
          routingKey: row.routingKey,
          envelope: validateEnvelope(row.envelope),
          headers: toHeaders(row.headers),
        });
      } catch (error) {
        await this.recordFailure(batch, row.id, error);
      }
    }
    // Sent together and confirmed together: the channel keeps their order, and a
    // broker outage costs one bounded wait per batch instead of one per row.
    const results = await Promise.allSettled(
      claimed.map((row) =>
        this.options.publisher.publish(row.envelope, { routingKey: row.routingKey, headers: row.headers }),
      ),
    );
    const publishedIds: string[] = [];
    for (const [index, result] of results.entries()) {
      const row = claimed[index];
      if (!row) continue;
      if (result.status === 'fulfilled') publishedIds.push(row.id);
      else await this.recordFailure(batch, row.id, result.reason);
    }
    await batch.markPublished(publishedIds);
    if (publishedIds.length < batch.rows.length) {
      this.logger.warn(
        { published: publishedIds.length, failed: batch.rows.length - publishedIds.length },
        'outbox rows kept for retry',
      );
    }
    return publishedIds.length;
  }

  private async recordFailure(batch: ClaimedBatch, id: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await batch.recordFailure(id, message.slice(0, MAX_ERROR_LENGTH));
  }

  private async refreshBacklog(force: boolean): Promise<void> {
    if (!force && Date.now() - this.lastBacklogRefresh < BACKLOG_REFRESH_EVERY_MS) return;
    this.lastBacklogRefresh = Date.now();
    const backlog = await this.store.measureBacklog();
    this.backlog.events.set(backlog.events);
    this.backlog.oldestAge.set(backlog.oldestAgeSeconds);
  }

  private async purgeOccasionally(): Promise<void> {
    if (Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    await this.store.purgePublished(this.options.retainPublishedMs ?? 24 * 3600_000);
  }
}
