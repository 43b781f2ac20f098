import { connect } from 'amqplib';
import type { ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { errorMessage } from './errors.js';

export interface RabbitConnectionOptions {
  /** amqp(s)://user:pass@host:port/vhost — usually RABBITMQ_URL */
  url: string;
  logger: Logger;
  /** shown in the RabbitMQ management UI and `rabbitmqctl list_connections` */
  connectionName?: string;
  /** AMQP heartbeat, so a silently dead TCP connection is noticed (default 10 s) */
  heartbeatSeconds?: number;
  /** TCP connect timeout of one attempt (default 5 s) */
  connectTimeoutMs?: number;
  /** back-off between reconnect attempts (default 200 ms doubling up to 10 s) */
  reconnect?: BackoffOptions;
}

type ConnectListener = (model: ChannelModel) => void;

/**
 * One AMQP connection per process that heals itself: after the broker drops it (restart,
 * `rabbitmqctl stop_app`, network) it reconnects with capped exponential back-off and tells
 * every registered listener, so publishers and consumers re-open channels and re-declare
 * their topology on each (re)connect.
 */
export class RabbitConnection {
  private readonly logger: Logger;
  private readonly reconnect: BackoffOptions;
  private model: ChannelModel | undefined;
  private readonly listeners = new Set<ConnectListener>();
  private started = false;
  private closing = false;
  private connecting: Promise<void> | undefined;
  private failedAttempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RabbitConnectionOptions) {
    this.logger = options.logger.child({ component: 'rabbit-connection' });
    this.reconnect = options.reconnect ?? { initialDelayMs: 200, maxDelayMs: 10_000 };
  }

  /** Begins connecting in the background; never throws (an unreachable broker is retried). */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    this.connectNow();
  }

  isConnected(): boolean {
    return this.model !== undefined;
  }

  /** The live connection, or undefined while (re)connecting. */
  current(): ChannelModel | undefined {
    return this.model;
  }

  /**
   * Calls `listener` with the connection now (if connected) and after every reconnect.
   * Returns a function that unregisters it.
   */
  onConnect(listener: ConnectListener): () => void {
    this.listeners.add(listener);
    const model = this.model;
    if (model) queueMicrotask(() => this.notify(listener, model));
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the connection once connected; rejects after timeoutMs. */
  waitForConnection(timeoutMs: number): Promise<ChannelModel> {
    const model = this.model;
    if (model) return Promise.resolve(model);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unregister();
        reject(new Error(`RabbitMQ not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      const unregister = this.onConnect((connected) => {
        clearTimeout(timer);
        unregister();
        resolve(connected);
      });
    });
  }

  /** Closes the connection and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting;
    const model = this.model;
    this.model = undefined;
    if (!model) return;
    try {
      await model.close();
    } catch (error) {
      // Already closed by the broker: nothing left to release.
      this.logger.debug({ err: error }, 'closing an already closed RabbitMQ connection');
    }
  }

  private connectNow(): void {
    this.connecting = this.attemptConnection().finally(() => {
      this.connecting = undefined;
    });
  }

  private async attemptConnection(): Promise<void> {
    let model: ChannelModel;
    try {
      model = await connect(this.urlWithHeartbeat(), {
        timeout: this.options.connectTimeoutMs ?? 5000,
        clientProperties: { connection_name: this.options.connectionName ?? 'marketshare' },
      });
    } catch (error) {
      this.failedAttempts += 1;
      const delayMs = backoffDelay(this.failedAttempts - 1, this.reconnect);
      this.logger.warn(
        { err: errorMessage(error), attempt: this.failedAttempts, retryInMs: delayMs },
        'RabbitMQ connection failed',
      );
      this.scheduleReconnect(delayMs);
      return;
    }
    if (this.closing) {
      await model.close().catch(() => undefined);
      return;
    }
    this.failedAttempts = 0;
    this.model = model;
    // Without an 'error' listener an emitted error would crash the process; the 'close'
    // that always follows is where recovery happens.
    model.on('error', (error: unknown) => {
      this.logger.warn({ err: errorMessage(error) }, 'RabbitMQ connection error');
    });
    model.on('close', () => this.handleClose(model));
    model.on('blocked', (reason: unknown) => this.logger.warn({ reason }, 'RabbitMQ connection blocked'));
    model.on('unblocked', () => this.logger.info('RabbitMQ connection unblocked'));
    this.logger.info('RabbitMQ connected');
    for (const listener of [...this.listeners]) this.notify(listener, model);
  }

  private handleClose(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    if (this.closing) return;
    const delayMs = backoffDelay(0, this.reconnect);
    this.logger.warn({ retryInMs: delayMs }, 'RabbitMQ connection lost; reconnecting');
    this.scheduleReconnect(delayMs);
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.closing) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connectNow(), delayMs);
    // A pending reconnect alone must not keep a finished process (or test run) alive.
    this.reconnectTimer.unref();
  }

  private notify(listener: ConnectListener, model: ChannelModel): void {
    // Only announce a connection that is still the live one (a listener registered just
    // before a drop would otherwise get a dead connection).
    if (this.model !== model || !this.listeners.has(listener)) return;
    try {
      listener(model);
    } catch (error) {
      this.logger.error({ err: error }, 'RabbitMQ connect listener failed');
    }
  }

  private urlWithHeartbeat(): string {
    const url = new URL(this.options.url);
    if (!url.searchParams.has('heartbeat')) {
      url.searchParams.set('heartbeat', String(this.options.heartbeatSeconds ?? 10));
    }
    return url.toString();
  }
}
