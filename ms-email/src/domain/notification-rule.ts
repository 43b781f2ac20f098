import { EventValidationError, validateEvent } from '@marketshare/platform/contracts';
import type { EventEnvelope, EventType, TypedEventEnvelope } from '@marketshare/platform/contracts';
import type { RenderedEmail, TemplateContext } from '../templates/index.js';
import { UndeliverableEvent } from './errors.js';
import type { AccountDirectory } from './ports.js';

export type EmailType =
  | 'welcome'
  | 'password_reset'
  | 'order_received'
  | 'order_rejected'
  | 'order_out_of_stock'
  | 'order_shipped'
  | 'order_delivered'
  | 'order_cancelled';

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

/** The event is acknowledged without an email: nobody is told about it, or nobody can be. */
export interface Skip {
  emailType: EmailType;
  skip: string;
}

export type Composition = Notification | Skip;

export function isSkip(composition: Composition): composition is Skip {
  return 'skip' in composition;
}

/** What rules may use besides the event: the templates' context and the account lookup. */
export interface NotificationContext {
  templates: TemplateContext;
  directory: AccountDirectory;
}

/** How one event type becomes an email: who gets it and which template renders it. */
interface NotificationRule<K extends EventType> {
  eventType: K;
  /** every type this rule may produce; the first labels failures before one was chosen */
  emailTypes: readonly [EmailType, ...EmailType[]];
  compose(event: TypedEventEnvelope<K>, context: NotificationContext): Promise<Composition>;
}

/** A rule with its event type erased: validates the envelope against the type's contract itself. */
export interface Notifier {
  eventType: EventType;
  emailTypes: readonly [EmailType, ...EmailType[]];
  compose(envelope: EventEnvelope<unknown>, context: NotificationContext): Promise<Composition>;
}

export function rule<K extends EventType>(definition: NotificationRule<K>): Notifier {
  return {
    eventType: definition.eventType,
    emailTypes: definition.emailTypes,
    async compose(envelope, context) {
      let event: TypedEventEnvelope<K>;
      try {
        event = validateEvent(definition.eventType, envelope);
      } catch (error) {
        if (error instanceof EventValidationError)
          throw new UndeliverableEvent(error.message, { cause: error });
        throw error;
      }
      return definition.compose(event, context);
    },
  };
}
