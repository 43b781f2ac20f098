import assert from 'node:assert/strict';
import { ConfigError } from '@marketshare/platform';
import { parseEmailConfig } from '../../src/config.js';
import { senderDomain, smtpTransportOptions, toMailSendError } from '../../src/mail/smtp-sender.js';

describe('ms-email config and SMTP transport', () => {
  it('has local defaults and parses the retry delays', () => {
    const config = parseEmailConfig({ NODE_ENV: 'test' });
    assert.equal(config.PORT, 4005);
    assert.equal(config.EMAIL_MAX_ATTEMPTS, 5);
    assert.deepEqual(config.EMAIL_RETRY_DELAYS_MS, [1000, 5000, 30000, 120000]);
    assert.equal(config.EMAIL_PREFETCH, 10);
    assert.equal(config.SMTP_URL, 'smtp://127.0.0.1:1025');
  });

  it('keeps deliveries 7 days by default and refuses a retention shorter than the retries', () => {
    assert.equal(parseEmailConfig({ NODE_ENV: 'test' }).DEDUP_RETENTION_HOURS, 168);
    assert.throws(
      () =>
        parseEmailConfig({
          NODE_ENV: 'test',
          DEDUP_RETENTION_HOURS: '1',
          EMAIL_MAX_ATTEMPTS: '5',
          EMAIL_RETRY_DELAYS_MS: '3600000',
        }),
      (error: unknown) => error instanceof ConfigError && /DEDUP_RETENTION_HOURS \(1\)/.test(error.message),
    );
  });

  it('requires the deployment settings in production and reports every problem', () => {
    assert.throws(
      () =>
        parseEmailConfig({ NODE_ENV: 'production', SMTP_URL: 'http://relay', EMAIL_RETRY_DELAYS_MS: '1s' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        for (const field of [
          'MYSQL_URL',
          'RABBITMQ_URL',
          'PUBLIC_URL',
          'SMTP_URL',
          'EMAIL_RETRY_DELAYS_MS',
        ]) {
          assert.match(text, new RegExp(field));
        }
        return true;
      },
    );
  });

  it('reads host, port, TLS and credentials from SMTP_URL', () => {
    const options = smtpTransportOptions({
      url: 'smtps://mailer%40x:p%3Ass@relay.example:2465',
      from: 'a@b.test',
    });
    assert.equal(options.host, 'relay.example');
    assert.equal(options.port, 2465);
    assert.equal(options.secure, true);
    assert.deepEqual(options.auth, { user: 'mailer@x', pass: 'p:ss' });
    assert.equal(smtpTransportOptions({ url: 'smtp://relay', from: 'a@b.test' }).port, 25);
    assert.equal(senderDomain('Marketshare <no-reply@marketshare.example>'), 'marketshare.example');
    assert.equal(senderDomain('no-reply@plain.example'), 'plain.example');
  });

  it('classifies 5xx replies as permanent and connection errors as transient', () => {
    const refused = toMailSendError(
      Object.assign(new Error('recipients rejected'), {
        code: 'EENVELOPE',
        responseCode: 550,
        command: 'RCPT TO',
      }),
    );
    assert.equal(refused.details.permanent, true);
    assert.equal(refused.details.command, 'RCPT TO');
    const down = toMailSendError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET', command: 'CONN' }),
    );
    assert.equal(down.details.permanent, false);
    assert.match(down.message, /ESOCKET CONN connect ECONNREFUSED/);
  });
});
