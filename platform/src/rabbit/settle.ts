import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { ATTEMPT_HEADER, originHeaders, republish } from './republish.js';
import { deadLetterQueueName, retryQueueName } from './topology.js';
import type { AmqpHeaders } from './tracing.js';

/** Headers the consumer writes on a dead letter; `npm run dlq` reads them back. */
export const DEAD_LETTER_HEADERS = {
  error: 'x-error',
  attempts: 'x-attempts',
  deadLetteredAt: 'x-dead-lettered-at',
} as const;

/** Header a retried message carries: why its previous attempt failed. */
export const LAST_ERROR_HEADER = 'x-last-error';

const MAX_ERROR_HEADER_LENGTH = 1000;

export interface Delivery {
  channel: ConfirmChannel;
  /** the main queue the message was consumed from */
  queue: string;
  message: ConsumeMessage;
  /** the message's headers without the broker-owned x-death family (copyHeaders) */
  headers: AmqpHeaders;
}

/**
 * Sends the message to the retry queue for `delayMs` with the attempt counter raised, then
 * acks the original: the prefetch slot frees at once and the copy comes back after the TTL.
 */
export async function retryLater(
  delivery: Delivery,
  attempt: number,
  delayMs: number,
  reason: string,
): Promise<void> {
  const { channel, queue, message, headers } = delivery;
  await republish(channel, retryQueueName(queue, delayMs), message, {
    ...headers,
    ...originHeaders(message, headers),
    [ATTEMPT_HEADER]: attempt + 1,
    [LAST_ERROR_HEADER]: reason.slice(0, MAX_ERROR_HEADER_LENGTH),
  });
  channel.ack(message);
}

/** Moves the message to `<queue>.dead` with why, after how many attempts, and when; then acks it. */
export async function deadLetter(delivery: Delivery, attempts: number, reason: string): Promise<void> {
  const { channel, queue, message, headers } = delivery;
  await republish(channel, deadLetterQueueName(queue), message, {
    ...headers,
    [DEAD_LETTER_HEADERS.error]: reason.slice(0, MAX_ERROR_HEADER_LENGTH),
    [DEAD_LETTER_HEADERS.attempts]: attempts,
    [DEAD_LETTER_HEADERS.deadLetteredAt]: new Date().toISOString(),
    ...originHeaders(message, headers),
  });
  channel.ack(message);
}
