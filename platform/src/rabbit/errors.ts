/**
 * Thrown by a consumer's handler when retrying cannot help (e.g. a payload that references
 * something that will never exist): the message goes to the dead-letter queue at once.
 */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
}

/**
 * Thrown by a handler when the event cannot be handled yet for a reason that ends by itself
 * in bounded time (another instance's lease on it, which a crashed instance leaves behind):
 * retried after the back-off without counting as an attempt, so it is never dead-lettered
 * for waiting. Anything that may never pass must throw an ordinary error instead.
 */
export class NotYet extends Error {
  override readonly name = 'NotYet';
}

/** The broker could not be reached within the publisher's wait: nothing was sent. */
export class PublisherUnavailableError extends Error {
  override readonly name = 'PublisherUnavailableError';
}

/** The broker returned a mandatory message because no queue is bound for its routing key. */
export class UnroutableMessageError extends Error {
  override readonly name = 'UnroutableMessageError';
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    replyText: string,
  ) {
    super(`message to exchange "${exchange}" with routing key "${routingKey}" was returned: ${replyText}`);
  }
}

/**
 * The broker did not confirm the message (nack, channel closed before the confirm, or no
 * confirm in time). The message may or may not have been delivered; publishing it again is
 * safe because consumers are idempotent by event id.
 */
export class PublishNotConfirmedError extends Error {
  override readonly name = 'PublishNotConfirmedError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
