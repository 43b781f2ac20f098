import assert from 'node:assert/strict';
import { escapeHtml, html, isWebUrl, passwordResetEmail, welcomeEmail } from '../../src/templates/index.js';

const context = { publicUrl: 'https://marketshare.test' };

describe('ms-email templates', () => {
  it('escapes interpolated values but keeps nested safe HTML', () => {
    assert.equal(
      escapeHtml(`<a href="x" onclick='y'>&\``),
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;',
    );
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      html`<p>${inner} ${'&'} ${[1, '<', inner]}</p>`.value,
      '<p><b>&lt;i&gt;</b> &amp; 1&lt;<b>&lt;i&gt;</b></p>',
    );
  });

  it('accepts only web links', () => {
    assert.ok(isWebUrl('https://marketshare.test/reset?token=1'));
    assert.ok(isWebUrl('http://127.0.0.1:8080/'));
    for (const url of ['javascript:alert(1)', 'data:text/html,<script>', 'mailto:a@b.test', 'not a url']) {
      assert.ok(!isWebUrl(url), url);
    }
  });

  it('keeps line breaks out of the subject header', () => {
    const email = welcomeEmail(
      { companyName: 'Acme\r\nBcc: victim@example.test', username: 'u', role: 'consumer' },
      context,
    );
    assert.equal(email.subject, 'Welcome to Marketshare, Acme Bcc: victim@example.test');
  });

  it('words the welcome email for the account role', () => {
    const seller = welcomeEmail({ companyName: 'Acme', username: 'ada', role: 'seller' }, context);
    const consumer = welcomeEmail({ companyName: 'Acme', username: 'ada', role: 'consumer' }, context);
    assert.match(seller.text, /seller account of Acme/);
    assert.match(seller.text, /publish your catalogue/);
    assert.match(consumer.text, /buyer account of Acme/);
    assert.match(consumer.text, /Open Marketshare: https:\/\/marketshare\.test/);
  });

  it('tells when the reset link expires, relative to the request', () => {
    const requestedAt = new Date('2026-03-01T10:00:00Z');
    const email = passwordResetEmail(
      {
        username: 'ada',
        companyName: 'Acme',
        resetUrl: 'https://marketshare.test/reset?token=a&b=c',
        requestedAt,
        expiresAt: new Date('2026-03-02T10:00:00Z'),
      },
      context,
    );
    assert.match(email.text, /expires at 2026-03-02 10:00 UTC \(24 hours after it was requested\)/);
    assert.match(email.text, /Choose a new password: https:\/\/marketshare\.test\/reset\?token=a&b=c/);
    assert.match(email.html, /href="https:\/\/marketshare\.test\/reset\?token=a&amp;b=c"/);
  });
});
