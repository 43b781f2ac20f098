import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import {
  accountCreated,
  address,
  Harness,
  MAIL_FROM_ADDRESS,
  PUBLIC_URL,
  passwordResetRequested,
} from './support/harness.js';

describe('ms-email: delivering emails', function () {
  this.timeout(20_000);
  let harness: Harness;

  before(async function () {
    this.timeout(60_000);
    harness = await Harness.start();
  });

  after(async function () {
    this.timeout(30_000);
    await harness?.close();
  });

  it('sends the welcome email to the new account, with HTML and text parts', async () => {
    const event = accountCreated({ companyName: 'Acme Trading', username: 'ada.lovelace', role: 'seller' });
    await harness.publish(event);

    const mail = await harness.waitForMailTo(event.data.email);
    assert.deepEqual(mail.to, [event.data.email]);
    assert.equal(mail.from, MAIL_FROM_ADDRESS);
    assert.match(mail.headers['from'] ?? '', /^Marketshare <no-reply@marketshare\.test>$/);
    assert.equal(mail.subject, 'Welcome to Marketshare, Acme Trading');
    assert.ok(mail.html, 'an HTML part');
    assert.ok(mail.text, 'a text part');
    for (const part of [mail.html, mail.text]) {
      assert.ok(part.includes('Acme Trading'), 'company name in every part');
      assert.ok(part.includes('ada.lovelace'), 'username in every part');
      assert.ok(part.includes(PUBLIC_URL), 'a link to the site in every part');
    }
    assert.match(mail.html, new RegExp(`href="${PUBLIC_URL}"`));
    assert.match(mail.headers['content-type'] ?? '', /^multipart\/alternative/);
    assert.equal(mail.messageId, `<${event.id}@marketshare.test>`);
    assert.equal(mail.headers['x-marketshare-event-id'], event.id);

    const record = await harness.waitForStatus(event.id, 'sent');
    assert.equal(record.attempts, 1);
    assert.equal(record.emailType, 'welcome');
    assert.equal(record.recipient, event.data.email);
    assert.equal(record.messageId, mail.messageId);
  });

  it('sends the password reset email with the link and its expiry', async () => {
    const event = passwordResetRequested();
    await harness.publish(event);

    const mail = await harness.waitForMailTo(event.data.email);
    assert.equal(mail.subject, 'Reset your Marketshare password');
    assert.ok(mail.text?.includes(event.data.resetUrl), 'the raw link in the text part');
    // In HTML the `&` of the query string is escaped; a browser reads it back as the same URL.
    const escapedUrl = event.data.resetUrl.replaceAll('&', '&amp;');
    assert.ok(mail.html?.includes(`href="${escapedUrl}"`), 'the link as the button target');
    for (const part of [mail.html, mail.text]) {
      assert.ok(part?.includes('2026-03-01 11:00 UTC'), 'the expiry instant');
      assert.ok(part?.includes('60 minutes'), 'how long the link is valid');
    }
    await harness.waitForStatus(event.id, 'sent');
  });

  it('escapes every value it puts into HTML', async () => {
    const companyName = '<script>alert("x")</script> & Sons';
    const event = accountCreated({ companyName, username: '<b>mallory</b>' });
    await harness.publish(event);

    const mail = await harness.waitForMailTo(event.data.email);
    const html = mail.html ?? '';
    assert.ok(!html.includes('<script>'), 'no script element');
    assert.ok(!html.includes('<b>mallory'), 'no markup from the username');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons'));
    assert.ok(html.includes('&lt;b&gt;mallory&lt;/b&gt;'));
    // Text and subject are not HTML: they carry the value as it was given.
    assert.equal(mail.subject, `Welcome to Marketshare, ${companyName}`);
    assert.ok(mail.text?.includes(companyName));
  });

  it('sends one email when the same event id arrives twice', async () => {
    const event = accountCreated();
    const duplicatesBefore = await harness.counter('emails_total', { type: 'welcome', outcome: 'duplicate' });
    await Promise.all([harness.publish(event), harness.publish(event)]);

    await harness.waitForMailTo(event.data.email);
    await waitFor(
      async () =>
        (await harness.counter('emails_total', { type: 'welcome', outcome: 'duplicate' })) ===
        duplicatesBefore + 1,
      { what: 'the second copy to be recognised as a duplicate' },
    );
    // A third copy long after the first was sent is suppressed by the delivery log alone.
    await harness.publish(event);
    await waitFor(
      async () =>
        (await harness.counter('emails_total', { type: 'welcome', outcome: 'duplicate' })) ===
        duplicatesBefore + 2,
      { what: 'the third copy to be recognised as a duplicate' },
    );
    assert.equal(harness.mailsTo(event.data.email).length, 1);
    const record = await harness.service.deliveryLog.find(event.id);
    assert.equal(record?.status, 'sent');
    assert.equal(record?.attempts, 1);
  });

  it('dead-letters an event whose payload breaks the contract, without sending', async () => {
    const to = address();
    const event = {
      id: randomUUID(),
      type: 'account.created',
      occurredAt: new Date().toISOString(),
      data: { email: to, username: 'ada' },
    };
    await harness.publish(event);

    const letter = await harness.waitForDeadLetter(event.id);
    assert.match(String(letter.headers['x-error']), /companyName|required/);
    assert.deepEqual(harness.mailsTo(to), []);
  });

  it('dead-letters a reset event whose link is not a web URL, and logs it as dead', async () => {
    const event = passwordResetRequested({ resetUrl: 'javascript:alert(document.cookie)' });
    await harness.publish(event);

    const letter = await harness.waitForDeadLetter(event.id);
    assert.match(String(letter.headers['x-error']), /resetUrl/);
    assert.equal(letter.headers['x-attempts'], 1, 'dead-lettered at once, not retried');
    const record = await harness.waitForStatus(event.id, 'dead');
    assert.equal(record.attempts, 0);
    assert.deepEqual(harness.mailsTo(event.data.email), []);
  });

  it('serves probes, metrics and the OpenAPI document', async () => {
    const health = await httpRequest(`${harness.baseUrl}/healthz`);
    assert.equal(health.status, 200);
    const ready = await httpRequest(`${harness.baseUrl}/readyz`);
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(ready.body, {
      status: 'ready',
      checks: { mysql: 'ok', rabbitmq: 'ok' },
      shuttingDown: false,
    });
    const openapi = await httpRequest(`${harness.baseUrl}/api/email/openapi.json`);
    assert.equal(openapi.status, 200);

    const metrics = await httpRequest(`${harness.baseUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^emails_total\{type="welcome",outcome="sent",service="ms-email"\} [1-9]/m);
    assert.match(
      metrics.text,
      /^emails_total\{type="welcome",outcome="duplicate",service="ms-email"\} [1-9]/m,
    );
    assert.match(metrics.text, /^email_send_duration_seconds_bucket\{/m);
    assert.match(metrics.text, /^http_server_request_duration_seconds_bucket\{.*route="\/readyz"/m);
    assert.match(metrics.text, /^messaging_consumed_total\{/m);
  });
});
