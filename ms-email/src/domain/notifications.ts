import { EventTypes, EventValidationError, validateEvent } from '@marketshare/platform/contracts';
import type { EventEnvelope, EventType, TypedEventEnvelope } from '@marketshare/platform/contracts';
import { isWebUrl, passwordResetEmail, welcomeEmail } from '../templates/index.js';
import type { RenderedEmail, TemplateContext } from '../templates/index.js';
import { UndeliverableEvent } from './errors.js';

export type EmailType = 'welcome' | 'password_reset';

export interface Recipient {
  name: string;
  address: string;
}

/** One email an event turns into. */
export interface Notification {
  emailType: EmailType;
  to: Recipient;
  email: RenderedEmail;
}

/** How one event type becomes an email: who gets it and which template renders it. */
interface NotificationRule<K extends EventType> {
  eventType: K;
  emailType: EmailType;
  // Async so a later rule (order emails carry account ids, not addresses) can look the
  // recipient up through a port without changing the callers.
  compose(
    event: TypedEventEnvelope<K>,
    context: TemplateContext,
  ): Promise<{ to: Recipient; email: RenderedEmail }>;
}

/** A rule with its event type erased: validates the envelope against the type's contract itself. */
export interface Notifier {
  eventType: EventType;
  emailType: EmailType;
  compose(envelope: EventEnvelope<unknown>, context: TemplateContext): Promise<Notification>;
}

function rule<K extends EventType>(definition: NotificationRule<K>): Notifier {
  return {
    eventType: definition.eventType,
    emailType: definition.emailType,
    async compose(envelope, context) {
      let event: TypedEventEnvelope<K>;
      try {
        event = validateEvent(definition.eventType, envelope);
      } catch (error) {
        if (error instanceof EventValidationError)
          throw new UndeliverableEvent(error.message, { cause: error });
        throw error;
      }
      return { emailType: definition.emailType, ...(await definition.compose(event, context)) };
    },
  };
}

function validDate(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UndeliverableEvent(`${field} is not a valid date`);
  return date;
}

/**
 * Every email ms-email sends. Adding one (order created, shipped, ...) is a template in
 * `templates/` plus an entry here; the queue binds to these event types automatically.
 */
export const NOTIFIERS: readonly Notifier[] = [
  rule({
    eventType: EventTypes.AccountCreated,
    emailType: 'welcome',
    async compose({ data }, context) {
      return {
        to: { name: data.companyName, address: data.email },
        email: welcomeEmail(data, context),
      };
    },
  }),
  rule({
    eventType: EventTypes.AccountPasswordResetRequested,
    emailType: 'password_reset',
    async compose({ data, occurredAt }, context) {
      // A forged or buggy event must not put a javascript: or data: link in front of a user.
      if (!isWebUrl(data.resetUrl)) throw new UndeliverableEvent('resetUrl is not an http(s) URL');
      return {
        to: { name: data.username, address: data.email },
        email: passwordResetEmail(
          {
            username: data.username,
            companyName: data.companyName,
            resetUrl: data.resetUrl,
            expiresAt: validDate(data.expiresAt, 'expiresAt'),
            requestedAt: validDate(occurredAt, 'occurredAt'),
          },
          context,
        ),
      };
    },
  }),
];

const byEventType: ReadonlyMap<string, Notifier> = new Map(
  NOTIFIERS.map((notifier) => [notifier.eventType, notifier]),
);

export function notifierFor(eventType: string): Notifier | undefined {
  return byEventType.get(eventType);
}

/** The routing keys the notifications queue is bound to. */
export function notifiedEventTypes(): string[] {
  return NOTIFIERS.map((notifier) => notifier.eventType);
}
