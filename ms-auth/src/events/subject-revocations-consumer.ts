import type { Logger, MetricsRegistry } from '@marketshare/platform';
import { EventTypes, EventValidationError, validateEvent } from '@marketshare/platform/contracts';
import type { AuthSubjectRevoked, EventEnvelope } from '@marketshare/platform/contracts';
import { EventConsumer, PermanentFailure, type RabbitConnection } from '@marketshare/platform/rabbit';
import type { SubjectSessions } from '../domain/tokens/subject-sessions.js';

/**
 * One durable queue shared by every ms-auth instance (a competing consumer: the change is made
 * once, in the database), with the platform's retry and dead-letter queues beside it.
 */
export const SUBJECT_REVOCATIONS_QUEUE = 'ms-auth.subject-revocations';

export interface SubjectRevocationsConsumerOptions {
  sessions: SubjectSessions;
  logger: Logger;
  registry: MetricsRegistry;
  retryDelaysMs?: number[];
  stopTimeoutMs?: number;
}

/**
 * auth.subject_revoked (a password reset, a deactivation) → the subject's sign-ins that began
 * before it end. The access tokens are revoked by the event itself wherever they are verified;
 * without this, a refresh token from before a password reset would go on minting new ones.
 * Revoking an already revoked family changes nothing, so a redelivery needs no dedupe table.
 */
export function createSubjectRevocationsConsumer(
  connection: RabbitConnection,
  options: SubjectRevocationsConsumerOptions,
): EventConsumer {
  return new EventConsumer(connection, {
    queue: SUBJECT_REVOCATIONS_QUEUE,
    bindings: [EventTypes.AuthSubjectRevoked],
    logger: options.logger,
    registry: options.registry,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
    async handler(envelope) {
      const revocation = revocationOf(envelope);
      await options.sessions.endBefore(revocation.subject, new Date(revocation.revokedBefore));
    },
  });
}

/** The typed revocation of an envelope; one that breaks the contract never will, so it is dead-lettered. */
function revocationOf(envelope: EventEnvelope<unknown>): AuthSubjectRevoked {
  try {
    return validateEvent(EventTypes.AuthSubjectRevoked, envelope).data;
  } catch (error) {
    if (error instanceof EventValidationError) throw new PermanentFailure(error.message, { cause: error });
    throw error;
  }
}
