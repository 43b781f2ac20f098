import type { Logger } from '@marketshare/platform';
import { EventConsumer, NotYet, PermanentFailure } from '@marketshare/platform/rabbit';
import type { RabbitConnection } from '@marketshare/platform/rabbit';
import type { MetricsRegistry } from '@marketshare/platform';
import type { NotificationService } from '../domain/deliver-notification.js';
import { DeliveryInProgress, UndeliverableEvent } from '../domain/errors.js';
import { notifiedEventTypes } from '../domain/notifications.js';

/**
 * Topology (declared by the platform consumer on every connect): this durable queue bound to
 * `marketshare.events` with one binding per event type that has an email, retry queues
 * `ms-email.notifications.retry.<ms>` that dead-letter back into it after their TTL, and
 * `ms-email.notifications.dead` for events that ran out of attempts or can never be sent.
 */
export const NOTIFICATIONS_QUEUE = 'ms-email.notifications';

export interface NotificationsConsumerOptions {
  service: NotificationService;
  logger: Logger;
  registry: MetricsRegistry;
  maxAttempts: number;
  retryDelaysMs: number[];
  prefetch: number;
  /** how long stop() lets in-flight sends finish before their messages go back to the queue */
  stopTimeoutMs: number;
  /** how long one delivery may take before it counts as a failed attempt */
  handlerTimeoutMs: number;
}

/** Wires the domain to the broker: the handler resolves → ack; throws → retry or dead letter. */
export function createNotificationsConsumer(
  connection: RabbitConnection,
  options: NotificationsConsumerOptions,
): EventConsumer {
  const { service, maxAttempts } = options;
  return new EventConsumer(connection, {
    queue: NOTIFICATIONS_QUEUE,
    bindings: notifiedEventTypes(),
    logger: options.logger,
    registry: options.registry,
    prefetch: options.prefetch,
    maxAttempts,
    retryDelaysMs: options.retryDelaysMs,
    stopTimeoutMs: options.stopTimeoutMs,
    handlerTimeoutMs: options.handlerTimeoutMs,
    async handler(envelope, context) {
      try {
        await service.deliver(envelope, { attempt: context.attempt, maxAttempts });
      } catch (error) {
        if (error instanceof UndeliverableEvent) throw new PermanentFailure(error.message, { cause: error });
        // Another claim on the event (maybe of an instance killed mid-send) lasts until its lease
        // runs out: waiting for it must not use up the attempts and dead-letter the email.
        if (error instanceof DeliveryInProgress) throw new NotYet(error.message, { cause: error });
        throw error;
      }
    },
  });
}
