import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { newEnvelope } from '@marketshare/platform/contracts';
import type { OrderStatus, TypedEventEnvelope } from '@marketshare/platform/contracts';
import { waitFor } from '@marketshare/platform/testing';
import { Harness, PUBLIC_URL } from './support/harness.js';
import { EMAIL_CLIENT_ID, EMAIL_CLIENT_SECRET, UsersStandIn } from './support/users-stand-in.js';
import type { StandInAccount } from './support/users-stand-in.js';

type OrderItem = TypedEventEnvelope<'order.created'>['data']['items'][number];

const MUGS: OrderItem = { productId: randomUUID(), name: 'Espresso mug', quantity: 2, unitPriceMinor: 1250 };
const BEANS: OrderItem = { productId: randomUUID(), name: 'Coffee beans', quantity: 1, unitPriceMinor: 399 };

function orderCreated(
  consumer: StandInAccount,
  seller: StandInAccount,
  overrides: Partial<TypedEventEnvelope<'order.created'>['data']> = {},
): TypedEventEnvelope<'order.created'> {
  return newEnvelope('order.created', {
    orderId: randomUUID(),
    consumerId: consumer.id,
    sellerId: seller.id,
    status: 'RECEIVED',
    totalMinor: 2899,
    platformFeeMinor: 58,
    currency: 'EUR',
    items: [MUGS, BEANS],
    ...overrides,
  });
}

function statusChanged(
  consumer: StandInAccount,
  seller: StandInAccount,
  from: OrderStatus,
  to: OrderStatus,
): TypedEventEnvelope<'order.status_changed'> {
  return newEnvelope('order.status_changed', {
    orderId: randomUUID(),
    consumerId: consumer.id,
    sellerId: seller.id,
    from,
    to,
    changedAt: '2026-03-02T09:30:00.000Z',
  });
}

describe('ms-email: order emails', function () {
  this.timeout(20_000);
  let users: UsersStandIn;
  let harness: Harness;
  let seller: StandInAccount;

  before(async function () {
    this.timeout(60_000);
    users = await UsersStandIn.start();
    harness = await Harness.start({
      USERS_URL: users.url,
      AUTH_TOKEN_URL: users.tokenUrl,
      SERVICE_CLIENT_ID: EMAIL_CLIENT_ID,
      SERVICE_CLIENT_SECRET: EMAIL_CLIENT_SECRET,
    });
    seller = users.addAccount({ role: 'seller', companyName: 'Bean & Cup Roasters' });
  });

  after(async function () {
    this.timeout(30_000);
    await harness?.close();
    await users?.stop();
  });

  it('sends "Order received" to the consumer with the lines and the total (the fee is the seller\'s)', async () => {
    const consumer = users.addAccount({ username: 'ada', companyName: 'Ada Ltd' });
    const event = orderCreated(consumer, seller);
    await harness.publish(event);

    const mail = await harness.waitForMailTo(consumer.email);
    assert.deepEqual(mail.to, [consumer.email]);
    assert.match(mail.headers['to'] ?? '', /Ada Ltd/);
    assert.equal(mail.subject, `Order received: order ${event.data.orderId}`);
    assert.ok(mail.html && mail.text, 'HTML and text parts');
    assert.ok(mail.text.includes('Hello ada,'));
    assert.ok(mail.text.includes('Bean & Cup Roasters received your order.'));
    assert.ok(mail.html.includes('Bean &amp; Cup Roasters'), 'the seller, escaped in HTML');
    for (const part of [mail.html, mail.text]) {
      assert.ok(part.includes(event.data.orderId), 'the order number');
      assert.ok(part.includes('Espresso mug') && part.includes('Coffee beans'), 'the items');
      assert.ok(part.includes('2 × €12.50'), 'quantity × unit price');
      assert.ok(part.includes('€25.00'), 'the line total');
      assert.ok(part.includes('1 × €3.99'));
      assert.ok(part.includes(`${PUBLIC_URL}/orders/${event.data.orderId}`), 'a link to the order');
    }
    assert.ok(mail.text.includes('Total: €28.99'));
    assert.match(mail.html, /<strong>Total<\/strong>\s*<\/td>\s*<td[^>]*><strong>€28\.99<\/strong>/);
    for (const part of [mail.html, mail.text]) {
      assert.ok(!/\bfee\b/i.test(part) && !part.includes('0.58'), "the seller's commission is not shown");
    }

    const record = await harness.waitForStatus(event.id, 'sent');
    assert.equal(record.emailType, 'order_received');
    assert.equal(record.recipient, consumer.email);
    // ms-users was asked with ms-email's own client-credentials token, scope users:read only.
    assert.ok(users.callers.length > 0);
    for (const caller of users.callers) {
      assert.equal(caller.kind, 'service');
      assert.equal(caller.clientId, EMAIL_CLIENT_ID);
      assert.deepEqual([...caller.scopes], ['users:read']);
    }
    assert.ok(users.lookups.includes(consumer.id) && users.lookups.includes(seller.id));
  });

  it('formats each currency with its own minor units', async () => {
    const consumer = users.addAccount();
    const event = orderCreated(consumer, seller, {
      currency: 'JPY',
      totalMinor: 3000,
      platformFeeMinor: undefined,
      items: [{ ...MUGS, unitPriceMinor: 1500 }],
    });
    await harness.publish(event);

    const mail = await harness.waitForMailTo(consumer.email);
    assert.ok(mail.text?.includes('2 × JP¥1,500 = JP¥3,000'), mail.text);
    assert.ok(mail.text?.includes('Total: JP¥3,000'));
  });

  it('sends "Payment declined" and "Items out of stock" for refused orders', async () => {
    const declined = users.addAccount();
    const outOfStock = users.addAccount();
    const rejectedEvent = orderCreated(declined, seller, { status: 'REJECTED', platformFeeMinor: 0 });
    const shortEvent = orderCreated(outOfStock, seller, { status: 'OUT_OF_STOCK', platformFeeMinor: 0 });
    await harness.publish(rejectedEvent);
    await harness.publish(shortEvent);

    const rejectedMail = await harness.waitForMailTo(declined.email);
    assert.equal(rejectedMail.subject, `Payment declined: order ${rejectedEvent.data.orderId}`);
    assert.ok(rejectedMail.text?.includes('the payment was declined'));
    assert.ok(rejectedMail.text?.includes('2 × €12.50'));
    const shortMail = await harness.waitForMailTo(outOfStock.email);
    assert.equal(shortMail.subject, `Items out of stock: order ${shortEvent.data.orderId}`);
    assert.ok(shortMail.text?.includes('some items are out of stock'));
    assert.equal((await harness.waitForStatus(rejectedEvent.id, 'sent')).emailType, 'order_rejected');
    assert.equal((await harness.waitForStatus(shortEvent.id, 'sent')).emailType, 'order_out_of_stock');
  });

  it('sends shipped, delivered and cancelled emails to the consumer', async () => {
    const cases = [
      { from: 'RECEIVED', to: 'IN_DELIVERY', subject: 'Your order has shipped', type: 'order_shipped' },
      { from: 'IN_DELIVERY', to: 'DELIVERED', subject: 'Your order was delivered', type: 'order_delivered' },
      { from: 'RECEIVED', to: 'CANCELLED', subject: 'Your order was cancelled', type: 'order_cancelled' },
    ] as const;
    for (const { from, to, subject, type } of cases) {
      const consumer = users.addAccount();
      const event = statusChanged(consumer, seller, from, to);
      await harness.publish(event);
      const mail = await harness.waitForMailTo(consumer.email);
      assert.equal(mail.subject, `${subject}: order ${event.data.orderId}`);
      assert.deepEqual(mail.to, [consumer.email]);
      for (const part of [mail.html, mail.text]) {
        assert.ok(part?.includes(event.data.orderId), 'the order number');
        assert.ok(part?.includes('2026-03-02 09:30 UTC'), 'when it changed');
      }
      assert.ok(mail.text?.includes('Bean & Cup Roasters'));
      assert.equal((await harness.waitForStatus(event.id, 'sent')).emailType, type);
    }
  });

  it('escapes item, seller and consumer names in HTML and keeps them as given in text', async () => {
    const consumer = users.addAccount({ username: '<b>mallory</b>' });
    const evilSeller = users.addAccount({ role: 'seller', companyName: '<script>alert("s")</script>' });
    const event = orderCreated(consumer, evilSeller, {
      items: [{ ...MUGS, name: '<img src=x onerror=alert(1)>' }],
    });
    await harness.publish(event);

    const mail = await harness.waitForMailTo(consumer.email);
    const html = mail.html ?? '';
    assert.ok(!html.includes('<script>') && !html.includes('<img') && !html.includes('<b>mallory'));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;s&quot;)&lt;/script&gt;'));
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('&lt;b&gt;mallory&lt;/b&gt;'));
    assert.ok(mail.text?.includes('<img src=x onerror=alert(1)>: 2 × €12.50'));
    assert.ok(mail.text?.includes('Hello <b>mallory</b>,'));
  });

  it('sends nothing to a deactivated or unknown consumer, and acknowledges the event', async () => {
    const deactivated = users.addAccount({ status: 'deactivated' });
    const skippedBefore = await harness.counter('emails_total', {
      type: 'order_shipped',
      outcome: 'skipped',
    });
    const gone = orderCreated(deactivated, seller);
    await harness.publish(statusChanged(deactivated, seller, 'RECEIVED', 'IN_DELIVERY'));
    await harness.publish(
      newEnvelope('order.status_changed', {
        ...statusChanged(deactivated, seller, 'RECEIVED', 'IN_DELIVERY').data,
        consumerId: randomUUID(),
      }),
    );
    await harness.publish(gone);

    await waitFor(
      async () =>
        (await harness.counter('emails_total', { type: 'order_shipped', outcome: 'skipped' })) ===
          skippedBefore + 2 &&
        (await harness.counter('emails_total', { type: 'order_received', outcome: 'skipped' })) >= 1,
      { what: 'the three events to be skipped' },
    );
    await waitFor(async () => (await harness.queueDepth()) === 0, { what: 'an empty queue' });
    assert.deepEqual(harness.mailsTo(deactivated.email), []);
    assert.equal(await harness.service.deliveryLog.find(gone.id), undefined, 'nothing claimed');
    assert.equal((await harness.deadLetters()).length, 0, 'acknowledged, not dead-lettered');
  });

  it('retries while ms-users is down and delivers once after it is back', async () => {
    const consumer = users.addAccount();
    const failedBefore = await harness.counter('emails_total', { type: 'order_received', outcome: 'failed' });
    await users.down();
    const event = orderCreated(consumer, seller);
    await harness.publish(event);

    await waitFor(
      async () =>
        (await harness.counter('emails_total', { type: 'order_received', outcome: 'failed' })) >=
        failedBefore + 2,
      { what: 'two failed lookups' },
    );
    assert.deepEqual(harness.mailsTo(consumer.email), []);
    await users.up();

    const record = await harness.waitForStatus(event.id, 'sent');
    assert.equal(record.recipient, consumer.email);
    await waitFor(async () => (await harness.queueDepth()) === 0, { what: 'an empty queue' });
    assert.equal(harness.mailsTo(consumer.email).length, 1);
    assert.deepEqual(await harness.deadLetters(), []);
  });
});
