import { Buffer } from 'node:buffer';
import { connect } from 'amqplib';
import type { ChannelModel, ConfirmChannel, GetMessage } from 'amqplib';
import { errorMessage } from './errors.js';
import { ATTEMPT_HEADER, copyHeaders, republish } from './republish.js';
import { DEAD_LETTER_HEADERS, LAST_ERROR_HEADER } from './settle.js';
import { deadLetterQueueName } from './topology.js';
import type { AmqpHeaders } from './tracing.js';

/** One message in a dead-letter queue, as the consumer left it there. */
export interface DeadLetter {
  eventId: string | undefined;
  type: string | undefined;
  /** the key the event was first published with */
  routingKey: string | undefined;
  attempts: number | undefined;
  error: string | undefined;
  deadLetteredAt: string | undefined;
}

export interface DeadLetterQueueState {
  /** the consumer's main queue; its dead letters are in `<queue>.dead` */
  queue: string;
  deadLetterQueue: string;
  /** false when the dead-letter queue was never declared (its consumer never ran) */
  exists: boolean;
  /** every message in the queue when it was looked at, oldest first */
  letters: DeadLetter[];
}

/** A queue's state before a replay or drop, and the letters it applied to. */
export interface DeadLetterChange extends DeadLetterQueueState {
  affected: DeadLetter[];
}

/** Which dead letters a replay or drop applies to. */
export type DeadLetterSelection = { all: true } | { eventId: string };

const ORIGINAL_ROUTING_KEY_HEADER = 'x-original-routing-key';
const REPLAYED_AT_HEADER = 'x-replayed-at';

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function envelopeField(message: GetMessage, field: 'id' | 'type'): string | undefined {
  try {
    const parsed: unknown = JSON.parse(message.content.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || !(field in parsed)) return undefined;
    const value: unknown = Reflect.get(parsed, field);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined; // a malformed message is dead-lettered too; it simply has no envelope
  }
}

export function describeDeadLetter(message: GetMessage): DeadLetter {
  const headers = message.properties.headers ?? {};
  const attempts: unknown = headers[DEAD_LETTER_HEADERS.attempts];
  return {
    eventId: text(message.properties.messageId) ?? envelopeField(message, 'id'),
    type: text(message.properties.type) ?? envelopeField(message, 'type'),
    routingKey: text(headers[ORIGINAL_ROUTING_KEY_HEADER]),
    attempts: typeof attempts === 'number' ? attempts : undefined,
    error: text(headers[DEAD_LETTER_HEADERS.error]),
    deadLetteredAt: text(headers[DEAD_LETTER_HEADERS.deadLetteredAt]),
  };
}

/** The headers of a replayed copy: its origin kept, the failure history cleared, attempt 1. */
function replayHeaders(message: GetMessage): AmqpHeaders {
  const failureHeaders = new Set<string>([...Object.values(DEAD_LETTER_HEADERS), LAST_ERROR_HEADER]);
  const kept = Object.entries(copyHeaders(message)).filter(([key]) => !failureHeaders.has(key));
  return { ...Object.fromEntries(kept), [ATTEMPT_HEADER]: 1, [REPLAYED_AT_HEADER]: new Date().toISOString() };
}

function selects(selection: DeadLetterSelection, letter: DeadLetter): boolean {
  return 'all' in selection || letter.eventId === selection.eventId;
}

/**
 * Looks at, replays and drops the messages in consumers' dead-letter queues. Messages are
 * taken with manual acks and stay unacked while looked at; whatever is not replayed or
 * dropped goes back to the queue when the scan's channel closes, in its old order.
 */
export class DeadLetterAdmin {
  private constructor(private readonly model: ChannelModel) {}

  static async open(url: string): Promise<DeadLetterAdmin> {
    const model = await connect(url, { clientProperties: { connection_name: 'dead-letter-admin' } });
    model.on('error', () => undefined); // surfaced by the next call on a channel instead
    return new DeadLetterAdmin(model);
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }

  /** The dead letters of `queue` (its main queue's name, or the `.dead` one). */
  async inspect(queue: string): Promise<DeadLetterQueueState> {
    const { affected: _none, ...state } = await this.scan(
      queue,
      () => false,
      async () => undefined,
    );
    return state;
  }

  /**
   * Sends the selected dead letters back into their consumer's queue (not through the
   * exchange, which would hand a copy to every other queue bound to the key) with the attempt
   * counter reset, and acks each off the dead-letter queue only after the broker confirmed
   * its copy.
   */
  async replay(queue: string, selection: DeadLetterSelection): Promise<DeadLetterChange> {
    const mainQueue = mainQueueOf(queue);
    let mainQueueChecked = false;
    return this.scan(
      queue,
      (letter) => selects(selection, letter),
      async (channel, message) => {
        // The default exchange drops a message for a queue that does not exist, confirm and all.
        if (!mainQueueChecked && (await this.messageCount(mainQueue)) === undefined) {
          throw new Error(`queue ${mainQueue} does not exist: start its consumer before replaying into it`);
        }
        mainQueueChecked = true;
        await republish(channel, mainQueue, message, replayHeaders(message));
      },
    );
  }

  /** Removes the selected dead letters for good. */
  async drop(queue: string, selection: DeadLetterSelection): Promise<DeadLetterChange> {
    return this.scan(
      queue,
      (letter) => selects(selection, letter),
      async () => undefined,
    );
  }

  private async scan(
    queue: string,
    chosen: (letter: DeadLetter) => boolean,
    act: (channel: ConfirmChannel, message: GetMessage) => Promise<void>,
  ): Promise<DeadLetterChange> {
    const mainQueue = mainQueueOf(queue);
    const deadLetterQueue = deadLetterQueueName(mainQueue);
    const count = await this.messageCount(deadLetterQueue);
    const letters: DeadLetter[] = [];
    const affected: DeadLetter[] = [];
    const result = { queue: mainQueue, deadLetterQueue, exists: count !== undefined, letters, affected };
    if (!count) return result;
    const channel = await this.model.createConfirmChannel();
    channel.on('error', () => undefined);
    try {
      // Only what was there at the start: letters arriving meanwhile wait for the next run.
      for (let taken = 0; taken < count; taken += 1) {
        const message = await channel.get(deadLetterQueue, { noAck: false });
        if (!message) break;
        const letter = describeDeadLetter(message);
        letters.push(letter);
        if (!chosen(letter)) continue;
        await act(channel, message);
        channel.ack(message);
        affected.push(letter);
      }
    } finally {
      // Closing hands every message still unacked back to the queue; the broker handles the
      // acks sent before it first, since frames on a channel are processed in order.
      await channel.close().catch(() => undefined);
    }
    return result;
  }

  /** How many messages `queue` holds, or undefined when it does not exist. */
  private async messageCount(queue: string): Promise<number | undefined> {
    // A passive check of a missing queue closes its channel (404), so it gets its own.
    const channel = await this.model.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } catch (error) {
      if (/NOT_FOUND/.test(errorMessage(error))) return undefined;
      throw error;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }
}

export function mainQueueOf(queue: string): string {
  return queue.endsWith('.dead') ? queue.slice(0, -'.dead'.length) : queue;
}
