import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff.js';
import { errorMessage } from './errors.js';
import type { RabbitConnection } from './connection.js';

export interface ChannelKeeperOptions {
  /** what the channel is for, in logs */
  name: string;
  logger: Logger;
  /** declares topology and starts consuming; runs on every fresh channel */
  setup: (channel: ConfirmChannel) => Promise<void>;
}

const CHANNEL_RETRY = { initialDelayMs: 200, maxDelayMs: 15_000 };

/**
 * Keeps one confirm channel open on a RabbitConnection: opens it (and runs `setup`) on every
 * (re)connect, and re-opens it when the broker closes just the channel (a channel error)
 * while the connection stays up.
 */
export class ChannelKeeper {
  private readonly logger: Logger;
  private channel: ConfirmChannel | undefined;
  private opening = false;
  private stopped = true;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private unregister: (() => void) | undefined;
  private readonly waiters = new Set<(channel: ConfirmChannel) => void>();

  constructor(
    private readonly connection: RabbitConnection,
    private readonly options: ChannelKeeperOptions,
  ) {
    this.logger = options.logger.child({ component: 'rabbit-channel', channel: options.name });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unregister = this.connection.onConnect((model) => void this.open(model));
  }

  current(): ConfirmChannel | undefined {
    return this.channel;
  }

  /** The open channel, waiting at most timeoutMs for one; rejects when none came. */
  waitForChannel(timeoutMs: number): Promise<ConfirmChannel> {
    const channel = this.channel;
    if (channel) return Promise.resolve(channel);
    return new Promise((resolve, reject) => {
      const waiter = (opened: ConfirmChannel): void => {
        clearTimeout(timer);
        resolve(opened);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no RabbitMQ channel for ${this.options.name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Stops re-opening and closes the channel (unacked deliveries go back to their queue). */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.unregister?.();
    const channel = this.channel;
    this.channel = undefined;
    if (!channel) return;
    try {
      await channel.close();
    } catch (error) {
      this.logger.debug({ err: errorMessage(error) }, 'closing an already closed channel');
    }
  }

  private async open(model: ChannelModel): Promise<void> {
    if (this.stopped || this.opening || this.channel) return;
    this.opening = true;
    let channel: ConfirmChannel | undefined;
    try {
      channel = await model.createConfirmChannel();
      const opened = channel;
      let closedDuringSetup = false;
      opened.on('error', (error: unknown) => {
        this.logger.warn({ err: errorMessage(error) }, 'RabbitMQ channel error');
      });
      opened.on('close', () => {
        closedDuringSetup = true;
        this.handleClose(opened);
      });
      await this.options.setup(opened);
      if (closedDuringSetup) throw new Error('channel closed during setup');
      if (this.stopped) {
        await opened.close().catch(() => undefined);
        return;
      }
      this.channel = opened;
      this.failures = 0;
      this.logger.debug('channel open');
      const waiters = [...this.waiters];
      this.waiters.clear();
      for (const waiter of waiters) waiter(opened);
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'opening RabbitMQ channel failed');
      await channel?.close().catch(() => undefined);
      this.scheduleRetry();
    } finally {
      this.opening = false;
    }
  }

  private handleClose(channel: ConfirmChannel): void {
    // A channel that failed during setup is retried by open() itself.
    if (this.channel !== channel) return;
    this.channel = undefined;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delayMs = backoffDelay(this.failures, CHANNEL_RETRY);
    this.failures += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      // While the connection is down there is nothing to do: its reconnect calls open().
      const model = this.connection.current();
      if (model) void this.open(model);
    }, delayMs);
    this.retryTimer.unref();
  }
}
