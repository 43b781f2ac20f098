import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { validateEnvelope } from '../contracts/index.js';
import type { EventEnvelope } from '../contracts/index.js';
import type { EventPublisher, PublishHeaders } from '../rabbit/index.js';

export interface OutboxRelayOptions {
  pool: Pool;
  publisher: EventPublisher;
  logger: Logger;
  registry: Registry;
  /** rows sent per transaction (default 100) */
  batchSize?: number;
  /** how often the table is polled when nobody calls notify() (default 1 s) */
  pollIntervalMs?: number;
  /** published rows older than this are deleted (default 24 h) */
  retainPublishedMs?: number;
}

interface OutboxRow {
  id: string;
  routingKey: string;
  envelope: EventEnvelope<unknown>;
  headers: PublishHeaders;
}

const PURGE_EVERY_MS = 60_000;
const MAX_ERROR_LENGTH = 2000;

const backlogGauges = new WeakMap<Registry, Gauge>();

function backlogGauge(registry: Registry): Gauge {
  let gauge = backlogGauges.get(registry);
  if (!gauge) {
    gauge = new Gauge({
      name: 'outbox_backlog',
      help: 'Events in the outbox not yet confirmed by RabbitMQ',
      registers: [registry],
    });
    backlogGauges.set(registry, gauge);
  }
  return gauge;
}

// MySQL hands JSON columns back parsed, MariaDB (JSON = LONGTEXT) as text.
function jsonColumn(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value);
  if (Buffer.isBuffer(value)) return JSON.parse(value.toString('utf8'));
  return value;
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
 * Sends outbox rows to RabbitMQ in creation order. Each batch is claimed with
 * `FOR UPDATE SKIP LOCKED`, so several instances share the work without sending a row
 * twice; a row is marked published only after the broker's confirm, and a failed row keeps
 * its place (attempts and last_error recorded) for the next tick.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly backlog: Gauge;
  private running: Promise<void> | undefined;
  private stopping = false;
  private notified = false;
  private wake: (() => void) | undefined;
  private flushing: Promise<number> = Promise.resolve(0);
  private lastPurge = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger.child({ component: 'outbox-relay' });
    this.batchSize = options.batchSize ?? 100;
    this.backlog = backlogGauge(options.registry);
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
        await this.refreshBacklog();
        await this.purgeOccasionally();
      } catch (error) {
        this.logger.warn({ err: error }, 'outbox relay tick failed');
      }
      // A full batch means more rows are probably waiting: go again at once.
      if (published < this.batchSize && !this.notified) await this.sleep(this.options.pollIntervalMs ?? 1000);
    }
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

  private async flushBatch(): Promise<number> {
    const connection = await this.options.pool.getConnection();
    try {
      // READ COMMITTED: no gap locks, so services inserting new outbox rows are never
      // blocked behind a batch waiting for confirms.
      await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await connection.beginTransaction();
      try {
        const published = await this.publishClaimed(connection);
        await connection.commit();
        return published;
      } catch (error) {
        await connection.rollback().catch(() => undefined);
        throw error;
      }
    } finally {
      connection.release();
    }
  }

  private async publishClaimed(connection: PoolConnection): Promise<number> {
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT id, routing_key, envelope, headers FROM outbox
        WHERE published_at IS NULL
        ORDER BY created_at, seq
        LIMIT ? FOR UPDATE SKIP LOCKED`,
      [this.batchSize],
    );
    if (rows.length === 0) return 0;
    const claimed: OutboxRow[] = [];
    for (const row of rows) {
      const id = String(row['id']);
      try {
        claimed.push({
          id,
          routingKey: String(row['routing_key']),
          envelope: validateEnvelope(jsonColumn(row['envelope'])),
          headers: toHeaders(jsonColumn(row['headers'])),
        });
      } catch (error) {
        await this.recordFailure(connection, id, error);
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
      else await this.recordFailure(connection, row.id, result.reason);
    }
    if (publishedIds.length > 0) {
      await connection.query(
        'UPDATE outbox SET published_at = NOW(3), attempts = attempts + 1, last_error = NULL WHERE id IN (?)',
        [publishedIds],
      );
    }
    if (publishedIds.length < rows.length) {
      this.logger.warn(
        { published: publishedIds.length, failed: rows.length - publishedIds.length },
        'outbox rows kept for retry',
      );
    }
    return publishedIds.length;
  }

  private async recordFailure(connection: PoolConnection, id: string, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await connection.query('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?', [
      message.slice(0, MAX_ERROR_LENGTH),
      id,
    ]);
  }

  private async refreshBacklog(): Promise<void> {
    const [rows] = await this.options.pool.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS backlog FROM outbox WHERE published_at IS NULL',
    );
    this.backlog.set(Number(rows[0]?.['backlog'] ?? 0));
  }

  private async purgeOccasionally(): Promise<void> {
    if (Date.now() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = Date.now();
    const retainSeconds = Math.floor((this.options.retainPublishedMs ?? 24 * 3600_000) / 1000);
    await this.options.pool.query(
      'DELETE FROM outbox WHERE published_at < NOW(3) - INTERVAL ? SECOND ORDER BY published_at LIMIT 1000',
      [retainSeconds],
    );
  }
}
