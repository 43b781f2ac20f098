import { EventTypes } from '@marketshare/platform/contracts';
import { isWebUrl, passwordResetEmail, welcomeEmail } from '../templates/index.js';
import { UndeliverableEvent } from './errors.js';
import { rule } from './notification-rule.js';
import type { EmailType, Notifier } from './notification-rule.js';
import { ORDER_NOTIFIERS } from './order-notifications.js';

export { isSkip } from './notification-rule.js';
export type {
  Composition,
  EmailType,
  Notification,
  NotificationContext,
  Notifier,
  Recipient,
  Skip,
} from './notification-rule.js';

function validDate(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UndeliverableEvent(`${field} is not a valid date`);
  return date;
}

/**
 * Every email ms-email sends. Adding one is a template in `templates/` plus an entry here (or
 * in order-notifications.ts); the queue binds to these event types automatically.
 */
export const NOTIFIERS: readonly Notifier[] = [
  rule({
    eventType: EventTypes.AccountCreated,
    emailTypes: ['welcome'],
    async compose({ data }, { templates }) {
      return {
        emailType: 'welcome',
        to: { name: data.companyName, address: data.email },
        email: welcomeEmail(data, templates),
      };
    },
  }),
  rule({
    eventType: EventTypes.AccountPasswordResetRequested,
    emailTypes: ['password_reset'],
    async compose({ data, occurredAt }, { templates }) {
      // A forged or buggy event must not put a javascript: or data: link in front of a user.
      if (!isWebUrl(data.resetUrl)) throw new UndeliverableEvent('resetUrl is not an http(s) URL');
      return {
        emailType: 'password_reset',
        to: { name: data.username, address: data.email },
        email: passwordResetEmail(
          {
            username: data.username,
            companyName: data.companyName,
            resetUrl: data.resetUrl,
            expiresAt: validDate(data.expiresAt, 'expiresAt'),
            requestedAt: validDate(occurredAt, 'occurredAt'),
          },
          templates,
        ),
      };
    },
  }),
  ...ORDER_NOTIFIERS,
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

/** Every email type, for metrics that should show each one before it happens. */
export function emailTypes(): EmailType[] {
  return NOTIFIERS.flatMap((notifier) => notifier.emailTypes);
}
