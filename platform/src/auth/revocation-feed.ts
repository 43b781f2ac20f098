import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { EVENTS_EXCHANGE, EventTypes, REVOCATION_EVENT_TYPES } from '../contracts/events.js';
import { validateEnvelope, validateEvent } from '../contracts/validation.js';
import { ChannelKeeper } from '../rabbit/channel-keeper.js';
import type { RabbitConnection } from '../rabbit/connection.js';
import type { TokenVerifier } from './jwks-verifier.js';
import { RevocationCheckingVerifier, RevocationList, type Revocation } from './revocation-list.js';

export interface RevocationFeedOptions {
  list: RevocationList;
  logger: Logger;
  /** Names this process's queue (`revocations.<service>.<host>.<pid>.<random>`) in the management UI. */
  service: string;
  maxTokenLifetimeSeconds: number;
  exchange?: string;
}

/**
 * Feeds a RevocationList from the revocation events. Every instance must see every revocation,
 * so each process has a queue of its own (never a shared, competing one), named uniquely.
 *
 * The queue is durable and expires (`x-expires`) a token lifetime after its process last
 * consumed, instead of being exclusive: a dropped connection or a broker restart then leaves the
 * revocations published meanwhile waiting in it, and the re-opened channel (every reconnect
 * re-declares the queue) applies them. Messages older than a token lifetime expire: by then
 * every token they could refuse has expired too.
 *
 * The window this leaves: a process starts with an empty list and a new queue, so a revocation
 * published before it started is not applied by it; the tokens concerned are refused elsewhere
 * and work on the new process at most until they expire (one token lifetime after their
 * revocation). Fetching recent revocations at start would close that; it is not done yet.
 */
export class RevocationFeed {
  private readonly keeper: ChannelKeeper;
  private readonly logger: Logger;
  readonly queue: string;

  constructor(
    connection: RabbitConnection,
    private readonly options: RevocationFeedOptions,
  ) {
    this.logger = options.logger.child({ component: 'revocation-feed' });
    this.queue = `revocations.${options.service}.${hostname()}.${process.pid}.${randomBytes(4).toString('hex')}`;
    this.keeper = new ChannelKeeper(connection, {
      name: 'revocations',
      logger: options.logger,
      setup: (channel) => this.setup(channel),
    });
  }

  start(): void {
    this.keeper.start();
  }

  async waitUntilConsuming(timeoutMs: number): Promise<void> {
    await this.keeper.waitForChannel(timeoutMs);
  }

  /** Closes the channel; the queue goes by itself once it has been unused for a token lifetime. */
  async stop(): Promise<void> {
    await this.keeper.close();
  }

  private async setup(channel: ConfirmChannel): Promise<void> {
    const exchange = this.options.exchange ?? EVENTS_EXCHANGE;
    const lifetimeMs = this.options.maxTokenLifetimeSeconds * 1000;
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.assertQueue(this.queue, {
      durable: true,
      arguments: { 'x-expires': lifetimeMs, 'x-message-ttl': lifetimeMs },
    });
    for (const routingKey of REVOCATION_EVENT_TYPES)
      await channel.bindQueue(this.queue, exchange, routingKey);
    await channel.consume(this.queue, (message) => {
      if (message) this.receive(channel, message);
    });
  }

  /** Applying is synchronous, so the ack follows at once; a malformed message is dropped. */
  private receive(channel: ConfirmChannel, message: ConsumeMessage): void {
    try {
      const revocation = toRevocation(JSON.parse(message.content.toString('utf8')));
      if (revocation) this.options.list.apply(revocation);
    } catch (error) {
      // Nothing to retry: a malformed revocation stays malformed, and no one else reads this queue.
      this.logger.warn({ err: error, messageId: message.properties.messageId }, 'revocation dropped');
    }
    channel.ack(message);
  }
}

export interface RevocationChecks {
  /** `verifier`, refusing revoked tokens too. */
  verifier: TokenVerifier;
  list: RevocationList;
  /** Started; stop it on shutdown, before the connection closes. */
  feed: RevocationFeed;
}

/**
 * What a service that verifies tokens locally wires in its main.ts (and its tests, the same
 * way): a revocation list fed from `connection`, and `verifier` refusing what is on it.
 */
export function withRevocationChecks(
  connection: RabbitConnection,
  verifier: TokenVerifier,
  options: { service: string; logger: Logger; maxTokenLifetimeSeconds: number },
): RevocationChecks {
  const list = new RevocationList({ maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds });
  const feed = new RevocationFeed(connection, { ...options, list });
  feed.start();
  return { verifier: new RevocationCheckingVerifier(verifier, list), list, feed };
}

/** The revocation an event states; undefined for events of other types. Throws when malformed. */
export function toRevocation(value: unknown): Revocation | undefined {
  switch (validateEnvelope(value).type) {
    case EventTypes.AuthTokenRevoked: {
      const { data } = validateEvent(EventTypes.AuthTokenRevoked, value);
      return { kind: 'token', jti: data.jti, expiresAt: new Date(data.expiresAt) };
    }
    case EventTypes.AuthSessionRevoked: {
      const { data } = validateEvent(EventTypes.AuthSessionRevoked, value);
      return { kind: 'session', sessionId: data.sessionId, revokedAt: new Date(data.revokedAt) };
    }
    case EventTypes.AuthSubjectRevoked: {
      const { data } = validateEvent(EventTypes.AuthSubjectRevoked, value);
      return { kind: 'subject', subject: data.subject, revokedBefore: new Date(data.revokedBefore) };
    }
    default:
      return undefined;
  }
}
