import { Buffer } from 'node:buffer';
import type { ConfirmChannel, ConsumeMessage, Message, Options } from 'amqplib';
import type { AmqpHeaders } from './tracing.js';

/** Header carrying which attempt (1-based) a delivery is. */
export const ATTEMPT_HEADER = 'x-attempt';

export function attemptOf(headers: AmqpHeaders): number {
  const value = headers[ATTEMPT_HEADER];
  const attempt = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}

const ORIGINAL_EXCHANGE_HEADER = 'x-original-exchange';
const ORIGINAL_ROUTING_KEY_HEADER = 'x-original-routing-key';

/**
 * Where the event was first published. A retried message comes back from its retry queue
 * with the queue's name as routing key, so the first hop's values travel in headers.
 */
export function originHeaders(message: ConsumeMessage, headers: AmqpHeaders): AmqpHeaders {
  return {
    [ORIGINAL_EXCHANGE_HEADER]: headers[ORIGINAL_EXCHANGE_HEADER] ?? message.fields.exchange,
    [ORIGINAL_ROUTING_KEY_HEADER]: originalRoutingKey(message, headers),
  };
}

export function originalRoutingKey(message: ConsumeMessage, headers: AmqpHeaders): string {
  const recorded = headers[ORIGINAL_ROUTING_KEY_HEADER];
  if (typeof recorded === 'string') return recorded;
  if (Buffer.isBuffer(recorded)) return recorded.toString('utf8');
  return message.fields.routingKey;
}

// Set by the broker when it dead-letters from a retry queue; a client must not carry them
// onto a new message, or each round trip would pile up a longer x-death history.
const BROKER_OWNED_HEADERS = /^x-(death|first-death-|last-death-)/;

export function copyHeaders(message: Pick<Message, 'properties'>): AmqpHeaders {
  const headers: AmqpHeaders = {};
  for (const [key, value] of Object.entries(message.properties.headers ?? {})) {
    if (!BROKER_OWNED_HEADERS.test(key)) headers[key] = value;
  }
  return headers;
}

/**
 * Sends a copy of a delivered message straight to `queue` (through the default exchange)
 * with the given headers, resolving on the broker's confirm. The original is acked only
 * afterwards, so a crash in between duplicates a message instead of losing it.
 */
export function republish(
  channel: ConfirmChannel,
  queue: string,
  message: Pick<Message, 'content' | 'properties'>,
  headers: AmqpHeaders,
): Promise<void> {
  const { properties } = message;
  const options: Options.Publish = {
    persistent: true,
    headers,
    contentType: typeof properties.contentType === 'string' ? properties.contentType : undefined,
    messageId: typeof properties.messageId === 'string' ? properties.messageId : undefined,
    type: typeof properties.type === 'string' ? properties.type : undefined,
    timestamp: typeof properties.timestamp === 'number' ? properties.timestamp : undefined,
  };
  return new Promise((resolve, reject) => {
    try {
      channel.sendToQueue(queue, message.content, options, (error: unknown) =>
        error ? reject(new Error(`republish to ${queue} not confirmed`, { cause: error })) : resolve(),
      );
    } catch (error) {
      reject(new Error(`republish to ${queue} failed`, { cause: error }));
    }
  });
}
