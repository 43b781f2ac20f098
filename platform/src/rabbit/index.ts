export { RabbitConnection } from './connection.js';
export type { RabbitConnectionOptions } from './connection.js';
export type { BackoffOptions } from './backoff.js';
export { EventPublisher } from './publisher.js';
export type { EventPublisherOptions, PublishHeaders, PublishOptions } from './publisher.js';
export { EventConsumer } from './consumer.js';
export type { EventConsumerOptions, EventHandler, HandlerContext, IdempotencyStore } from './consumer.js';
export { HandlerTimeoutError } from './handler-timeout.js';
export {
  NotYet,
  PermanentFailure,
  PublisherUnavailableError,
  PublishNotConfirmedError,
  UnroutableMessageError,
} from './errors.js';
export { messagingMetrics } from './metrics.js';
export type { ConsumeOutcome, MessagingMetrics, PublishOutcome } from './metrics.js';
export { ATTEMPT_HEADER } from './republish.js';
export { DEAD_LETTER_HEADERS, LAST_ERROR_HEADER } from './settle.js';
export { deadLetterQueueName, retryQueueName } from './topology.js';
export type { AmqpHeaders } from './tracing.js';
export { DeadLetterAdmin, describeDeadLetter, mainQueueOf } from './dead-letters.js';
export type {
  DeadLetter,
  DeadLetterChange,
  DeadLetterQueueState,
  DeadLetterSelection,
} from './dead-letters.js';
