import { performance } from 'node:perf_hooks';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import type { Logger } from '@marketshare/platform';
import type { TemplateContext } from '../templates/index.js';
import { DeliveryInProgress, MailSendError, UndeliverableEvent } from './errors.js';
import { isSkip, notifierFor } from './notifications.js';
import type { Composition, Notification } from './notifications.js';
import type { AccountDirectory, DeliveryLog, EmailMetrics, MailSender, SentReceipt } from './ports.js';

export interface DeliveryAttempt {
  /** 1 on the first delivery of the event, counted by the broker across retries */
  attempt: number;
  maxAttempts: number;
}

export type DeliveryOutcome = 'sent' | 'duplicate' | 'skipped';

export interface NotificationServiceDeps {
  log: DeliveryLog;
  sender: MailSender;
  metrics: EmailMetrics;
  templates: TemplateContext;
  /** ms-users: order events name accounts, not addresses */
  directory: AccountDirectory;
  logger: Logger;
  /** bounds how long a crashed instance's claim blocks others; must exceed one send's timeouts */
  claimLeaseMs: number;
}

const MARK_SENT_ATTEMPTS = 4;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Turns one event into at most one sent email, however often the event arrives.
 *
 * The delivery log row of the event id is claimed before sending and marked `sent` only
 * after the SMTP server accepted the message; the caller acknowledges the event after that.
 * What is left is the unavoidable window between the server's "250 OK" and the row update:
 * a crash exactly there sends the email again once the claim's lease ran out. The stable
 * Message-ID (derived from the event id) lets mail clients fold even that duplicate.
 *
 * SMTP failures are retried, including 5xx replies: relays answer 5xx for conditions that
 * do clear (mailbox over quota, an address provisioned moments after the account event,
 * a relay's policy misconfiguration), attempts are bounded, and an event that still fails
 * ends in the dead-letter queue where an operator can replay it. Dead-lettering on the
 * first 5xx would turn one relay hiccup into silently lost welcome emails.
 */
export class NotificationService {
  constructor(private readonly deps: NotificationServiceDeps) {}

  async deliver(envelope: EventEnvelope<unknown>, attempt: DeliveryAttempt): Promise<DeliveryOutcome> {
    const notifier = notifierFor(envelope.type);
    if (!notifier) {
      // A binding this service does not handle: dead-lettered so the mistake is visible.
      this.deps.metrics.outcome('unknown', 'dead');
      throw new UndeliverableEvent(`no email is defined for events of type ${envelope.type}`);
    }
    const [fallbackType] = notifier.emailTypes;
    let composition: Composition;
    try {
      composition = await notifier.compose(envelope, {
        templates: this.deps.templates,
        directory: this.deps.directory,
      });
    } catch (error) {
      if (error instanceof UndeliverableEvent) {
        await this.recordUndeliverable(envelope, fallbackType, error);
      } else {
        // Looking the recipient up failed (ms-users unreachable): the broker retries later.
        const dead = attempt.attempt >= attempt.maxAttempts;
        this.deps.metrics.outcome(fallbackType, dead ? 'dead' : 'failed');
        this.deps.logger.warn(
          { eventId: envelope.id, err: describe(error), attempt: attempt.attempt, dead },
          'composing the email failed',
        );
      }
      throw error;
    }
    if (isSkip(composition)) {
      this.deps.metrics.outcome(composition.emailType, 'skipped');
      this.deps.logger.info(
        { eventId: envelope.id, emailType: composition.emailType, reason: composition.skip },
        'no email for this event',
      );
      return 'skipped';
    }
    return this.send(envelope, composition, attempt);
  }

  private async send(
    envelope: EventEnvelope<unknown>,
    notification: Notification,
    attempt: DeliveryAttempt,
  ): Promise<DeliveryOutcome> {
    const { log, sender, metrics } = this.deps;
    const { emailType, to, email } = notification;
    const logger = this.deps.logger.child({ eventId: envelope.id, emailType, attempt: attempt.attempt });
    const claim = await log.claim({
      eventId: envelope.id,
      eventType: envelope.type,
      emailType,
      recipient: to.address,
      leaseMs: this.deps.claimLeaseMs,
    });
    if (claim.kind === 'sent') {
      metrics.outcome(emailType, 'duplicate');
      logger.info('email for this event was sent already; skipping the duplicate');
      return 'duplicate';
    }
    if (claim.kind === 'busy') {
      throw new DeliveryInProgress(`event ${envelope.id} is being sent by another instance`);
    }

    const startedAt = performance.now();
    const elapsed = () => (performance.now() - startedAt) / 1000;
    let receipt: SentReceipt;
    try {
      receipt = await sender.send({ eventId: envelope.id, to, ...email });
    } catch (error) {
      metrics.sendDuration(emailType, 'failed', elapsed());
      const dead = attempt.attempt >= attempt.maxAttempts;
      const reason = describe(error);
      await log.markFailed(envelope.id, reason, { dead }).catch((logError: unknown) => {
        logger.error({ err: logError }, 'could not record the failed attempt');
      });
      metrics.outcome(emailType, dead ? 'dead' : 'failed');
      const permanent = error instanceof MailSendError && error.details.permanent;
      logger.warn(
        { err: reason, permanent, dead, deliveryAttempts: claim.attempts },
        'sending the email failed',
      );
      throw error;
    }
    metrics.sendDuration(emailType, 'sent', elapsed());
    await this.recordSent(envelope.id, receipt);
    metrics.outcome(emailType, 'sent');
    logger.info({ messageId: receipt.messageId }, 'email sent');
    return 'sent';
  }

  /**
   * The email is out: losing this update would let a later redelivery send it again, so a
   * database blip is retried here before the error goes back to the broker.
   */
  private async recordSent(eventId: string, receipt: SentReceipt): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.deps.log.markSent(eventId, receipt);
        return;
      } catch (error) {
        if (attempt >= MARK_SENT_ATTEMPTS) throw error;
        this.deps.logger.warn({ err: error, eventId }, 'recording the sent email failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  private async recordUndeliverable(
    envelope: EventEnvelope<unknown>,
    emailType: string,
    error: UndeliverableEvent,
  ): Promise<void> {
    this.deps.metrics.outcome(emailType, 'dead');
    this.deps.logger.error({ eventId: envelope.id, err: error.message }, 'event cannot become an email');
    await this.deps.log
      .recordUndeliverable({
        eventId: envelope.id,
        eventType: envelope.type,
        emailType,
        error: error.message,
      })
      .catch((logError: unknown) => {
        this.deps.logger.error({ err: logError, eventId: envelope.id }, 'could not record the dead event');
      });
  }
}
