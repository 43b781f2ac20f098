import { EventTypes } from '@marketshare/platform/contracts';
import type { OrderStatus } from '@marketshare/platform/contracts';
import { isFormattableCurrency, orderCreatedEmail, orderStatusEmail } from '../templates/index.js';
import type { OrderOutcome, OrderProgress } from '../templates/index.js';
import { UndeliverableEvent } from './errors.js';
import { rule } from './notification-rule.js';
import type { EmailType, Notifier, Recipient, Skip } from './notification-rule.js';
import type { AccountContact, AccountDirectory } from './ports.js';

const CREATED_TYPES: Record<OrderOutcome, EmailType> = {
  RECEIVED: 'order_received',
  REJECTED: 'order_rejected',
  OUT_OF_STOCK: 'order_out_of_stock',
};

const PROGRESS_TYPES: Record<OrderProgress, EmailType> = {
  IN_DELIVERY: 'order_shipped',
  DELIVERED: 'order_delivered',
  CANCELLED: 'order_cancelled',
};

function isKey<T extends object>(record: T, key: string): key is Extract<keyof T, string> {
  return Object.hasOwn(record, key);
}

/** Shown when the seller's account is gone: the email is still worth sending to the consumer. */
const UNKNOWN_SELLER = 'The seller';

interface Parties {
  to: Recipient;
  consumer: AccountContact;
  sellerName: string;
}

/**
 * The consumer to write to and the seller to name, from ms-users. An unknown or deactivated
 * consumer gets no email (Skip); ms-users being unreachable rejects, and the broker retries.
 */
async function parties(
  directory: AccountDirectory,
  ids: { consumerId: string; sellerId: string },
  emailType: EmailType,
): Promise<Parties | Skip> {
  const [consumer, seller] = await Promise.all([
    directory.findAccount(ids.consumerId),
    directory.findAccount(ids.sellerId),
  ]);
  if (!consumer) return { emailType, skip: `consumer ${ids.consumerId} is not a known account` };
  if (consumer.status !== 'active') return { emailType, skip: `consumer ${ids.consumerId} is deactivated` };
  return {
    to: { name: consumer.companyName, address: consumer.email },
    consumer,
    sellerName: seller?.companyName ?? UNKNOWN_SELLER,
  };
}

function noEmailFor(status: OrderStatus, emailType: EmailType): Skip {
  return { emailType, skip: `no email is sent for orders that become ${status}` };
}

/** order.created and order.status_changed: the emails the consumer gets about an order. */
export const ORDER_NOTIFIERS: readonly Notifier[] = [
  rule({
    eventType: EventTypes.OrderCreated,
    emailTypes: ['order_received', 'order_rejected', 'order_out_of_stock'],
    async compose({ data }, { directory, templates }) {
      if (!isKey(CREATED_TYPES, data.status)) return noEmailFor(data.status, 'order_received');
      const emailType = CREATED_TYPES[data.status];
      if (!isFormattableCurrency(data.currency)) {
        throw new UndeliverableEvent(`currency ${data.currency} is not an ISO 4217 code`);
      }
      const found = await parties(directory, data, emailType);
      if ('skip' in found) return found;
      return {
        emailType,
        to: found.to,
        email: orderCreatedEmail(
          {
            orderId: data.orderId,
            consumerName: found.consumer.username,
            sellerName: found.sellerName,
            outcome: data.status,
            currency: data.currency,
            items: data.items,
          },
          templates,
        ),
      };
    },
  }),
  rule({
    eventType: EventTypes.OrderStatusChanged,
    emailTypes: ['order_shipped', 'order_delivered', 'order_cancelled'],
    async compose({ data }, { directory, templates }) {
      if (!isKey(PROGRESS_TYPES, data.to)) return noEmailFor(data.to, 'order_shipped');
      const emailType = PROGRESS_TYPES[data.to];
      const changedAt = new Date(data.changedAt);
      if (Number.isNaN(changedAt.getTime())) throw new UndeliverableEvent('changedAt is not a valid date');
      const found = await parties(directory, data, emailType);
      if ('skip' in found) return found;
      return {
        emailType,
        to: found.to,
        email: orderStatusEmail(
          {
            orderId: data.orderId,
            consumerName: found.consumer.username,
            sellerName: found.sellerName,
            status: data.to,
            changedAt,
          },
          templates,
        ),
      };
    },
  }),
];
