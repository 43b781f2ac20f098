import { html } from './html.js';
import type { SafeHtml } from './html.js';
import { renderEmail } from './layout.js';
import { formatMoney } from './money.js';
import { formatUtc } from './password-reset.js';
import type { RenderedEmail, TemplateContext } from './types.js';

export interface OrderLine {
  name: string;
  quantity: number;
  unitPriceMinor: number;
}

/** The people an order email names: the consumer it goes to and the seller they bought from. */
export interface OrderParties {
  orderId: string;
  consumerName: string;
  sellerName: string;
}

export type OrderOutcome = 'RECEIVED' | 'REJECTED' | 'OUT_OF_STOCK';

export interface OrderCreatedData extends OrderParties {
  outcome: OrderOutcome;
  currency: string;
  items: readonly OrderLine[];
}

export type OrderProgress = 'IN_DELIVERY' | 'DELIVERED' | 'CANCELLED';

export interface OrderStatusData extends OrderParties {
  status: OrderProgress;
  changedAt: Date;
}

const CREATED: Record<OrderOutcome, { title: string; lead: string; next: string }> = {
  RECEIVED: {
    title: 'Order received',
    lead: 'received your order',
    next: 'We will email you again when it ships.',
  },
  REJECTED: {
    title: 'Payment declined',
    lead: 'could not take your order: the payment was declined',
    next: 'The order was not placed. You can try again from your cart.',
  },
  OUT_OF_STOCK: {
    title: 'Items out of stock',
    lead: 'could not take your order: some items are out of stock',
    next: 'The order was not placed and no payment was taken. You can change your cart and try again.',
  },
};

const PROGRESS: Record<OrderProgress, { title: string; subject: string; text: string }> = {
  IN_DELIVERY: { title: 'Order shipped', subject: 'Your order has shipped', text: 'is on its way' },
  DELIVERED: { title: 'Order delivered', subject: 'Your order was delivered', text: 'was delivered' },
  CANCELLED: { title: 'Order cancelled', subject: 'Your order was cancelled', text: 'was cancelled' },
};

function orderUrl(orderId: string, context: TemplateContext): string {
  return `${context.publicUrl}/orders/${encodeURIComponent(orderId)}`;
}

interface Totals {
  lines: { name: string; quantity: string; lineTotal: string }[];
  total: string;
}

function totals(data: OrderCreatedData): Totals {
  const money = (minor: number) => formatMoney({ minor, currency: data.currency });
  const totalMinor = data.items.reduce((sum, item) => sum + item.quantity * item.unitPriceMinor, 0);
  return {
    lines: data.items.map((item) => ({
      name: item.name,
      quantity: `${item.quantity} × ${money(item.unitPriceMinor)}`,
      lineTotal: money(item.quantity * item.unitPriceMinor),
    })),
    // The platform fee is the seller's commission, taken from the payout: the consumer pays the items.
    total: money(totalMinor),
  };
}

function totalsTable(summary: Totals): SafeHtml {
  const cell = 'padding:6px 8px;border-bottom:1px solid #d0d7de';
  const sumRow = (label: string, value: string, strong = false) =>
    html`<tr>
      <td colspan="2" style="padding:6px 8px;text-align:right">
        ${strong ? html`<strong>${label}</strong>` : label}
      </td>
      <td style="padding:6px 8px;text-align:right">${strong ? html`<strong>${value}</strong>` : value}</td>
    </tr>`;
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:16px 0">
    <tr>
      <th align="left" style="${cell}">Item</th>
      <th align="left" style="${cell}">Quantity × price</th>
      <th align="right" style="${cell}">Amount</th>
    </tr>
    ${summary.lines.map(
      (line) =>
        html`<tr>
          <td style="${cell}">${line.name}</td>
          <td style="${cell}">${line.quantity}</td>
          <td style="${cell};text-align:right">${line.lineTotal}</td>
        </tr>`,
    )}
    ${sumRow('Total', summary.total, true)}
  </table>`;
}

function totalsText(summary: Totals): string[] {
  return [
    ...summary.lines.map((line) => `- ${line.name}: ${line.quantity} = ${line.lineTotal}`),
    '',
    `Total: ${summary.total}`,
  ];
}

/** order.created, to the consumer: received, payment declined or out of stock, with the lines. */
export function orderCreatedEmail(data: OrderCreatedData, context: TemplateContext): RenderedEmail {
  const copy = CREATED[data.outcome];
  const summary = totals(data);
  const accepted = data.outcome === 'RECEIVED';
  return renderEmail(
    {
      subject: `${copy.title}: order ${data.orderId}`,
      preheader: `${data.sellerName} ${copy.lead}. Total ${summary.total}.`,
      heading: copy.title,
      bodyHtml: html`<p>Hello ${data.consumerName},</p>
        <p><strong>${data.sellerName}</strong> ${copy.lead}.</p>
        <p>Order number: <strong>${data.orderId}</strong></p>
        ${totalsTable(summary)}
        <p>${copy.next}</p>`,
      bodyText: [
        `Hello ${data.consumerName},`,
        '',
        `${data.sellerName} ${copy.lead}.`,
        `Order number: ${data.orderId}`,
        '',
        ...totalsText(summary),
        '',
        copy.next,
      ].join('\n'),
      action: accepted
        ? { label: 'View your order', url: orderUrl(data.orderId, context) }
        : { label: 'Open your cart', url: `${context.publicUrl}/cart` },
      reason: 'You receive this email because you placed an order on Marketshare.',
    },
    context,
  );
}

/** order.status_changed, to the consumer: shipped, delivered or cancelled (no lines: the event has none). */
export function orderStatusEmail(data: OrderStatusData, context: TemplateContext): RenderedEmail {
  const copy = PROGRESS[data.status];
  const when = formatUtc(data.changedAt);
  return renderEmail(
    {
      subject: `${copy.subject}: order ${data.orderId}`,
      preheader: `Your order from ${data.sellerName} ${copy.text}.`,
      heading: copy.title,
      bodyHtml: html`<p>Hello ${data.consumerName},</p>
        <p>Your order from <strong>${data.sellerName}</strong> ${copy.text} (${when}).</p>
        <p>Order number: <strong>${data.orderId}</strong></p>`,
      bodyText: [
        `Hello ${data.consumerName},`,
        '',
        `Your order from ${data.sellerName} ${copy.text} (${when}).`,
        `Order number: ${data.orderId}`,
      ].join('\n'),
      action: { label: 'View your order', url: orderUrl(data.orderId, context) },
      reason: 'You receive this email because you placed an order on Marketshare.',
    },
    context,
  );
}
