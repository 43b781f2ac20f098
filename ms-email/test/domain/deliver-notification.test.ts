import assert from 'node:assert/strict';
import { createLogger } from '@marketshare/platform';
import { newEnvelope } from '@marketshare/platform/contracts';
import { NotificationService } from '../../src/domain/deliver-notification.js';
import { DeliveryInProgress, MailSendError, UndeliverableEvent } from '../../src/domain/errors.js';
import type {
  ClaimResult,
  DeliveryLog,
  EmailOutcome,
  MailSender,
  OutgoingEmail,
} from '../../src/domain/ports.js';

function event() {
  return newEnvelope('account.created', {
    accountId: 'a1',
    email: 'ada@example.test',
    username: 'ada',
    companyName: 'Acme',
    role: 'consumer',
  });
}

/** In-memory fakes that record what the use case did. */
function setup(options: { claim?: ClaimResult; sendError?: Error; markSentFailures?: number } = {}) {
  let markSentFailures = options.markSentFailures ?? 0;
  const calls: string[] = [];
  const outcomes: EmailOutcome[] = [];
  const sent: OutgoingEmail[] = [];
  const log: DeliveryLog = {
    claim: async () => options.claim ?? { kind: 'claimed', attempts: 1 },
    markSent: async (id) => {
      if (markSentFailures-- > 0) throw new Error('connection lost');
      calls.push(`sent ${id}`);
    },
    markFailed: async (_id, _error, { dead }) => void calls.push(dead ? 'dead' : 'failed'),
    recordUndeliverable: async () => void calls.push('undeliverable'),
    find: async () => undefined,
  };
  const sender: MailSender = {
    send: async (email) => {
      if (options.sendError) throw options.sendError;
      sent.push(email);
      return { messageId: `<${email.eventId}@test>`, response: '250 OK' };
    },
  };
  const service = new NotificationService({
    log,
    sender,
    metrics: { outcome: (_type, outcome) => void outcomes.push(outcome), sendDuration: () => undefined },
    templates: { publicUrl: 'https://marketshare.test' },
    logger: createLogger({ service: 'test', level: 'silent' }),
    claimLeaseMs: 60_000,
  });
  return { service, calls, outcomes, sent };
}

describe('ms-email domain: NotificationService', () => {
  it('sends, then records the delivery as sent', async () => {
    const { service, calls, outcomes, sent } = setup();
    const envelope = event();
    assert.equal(await service.deliver(envelope, { attempt: 1, maxAttempts: 3 }), 'sent');
    assert.deepEqual(sent[0]?.to, { name: 'Acme', address: 'ada@example.test' });
    assert.equal(sent[0]?.eventId, envelope.id);
    assert.deepEqual(calls, [`sent ${envelope.id}`]);
    assert.deepEqual(outcomes, ['sent']);
  });

  it('skips an event whose email was sent already', async () => {
    const { service, sent, outcomes } = setup({ claim: { kind: 'sent' } });
    assert.equal(await service.deliver(event(), { attempt: 1, maxAttempts: 3 }), 'duplicate');
    assert.deepEqual(sent, []);
    assert.deepEqual(outcomes, ['duplicate']);
  });

  it('asks for a retry while another instance holds the claim', async () => {
    const { service, sent } = setup({ claim: { kind: 'busy' } });
    await assert.rejects(service.deliver(event(), { attempt: 1, maxAttempts: 3 }), DeliveryInProgress);
    assert.deepEqual(sent, []);
  });

  it('records a failed attempt, and the last one as dead', async () => {
    const error = new MailSendError('550 no such user', { permanent: true, responseCode: 550 });
    const { service, calls, outcomes } = setup({ sendError: error });
    await assert.rejects(service.deliver(event(), { attempt: 1, maxAttempts: 2 }), MailSendError);
    await assert.rejects(service.deliver(event(), { attempt: 2, maxAttempts: 2 }), MailSendError);
    assert.deepEqual(calls, ['failed', 'dead']);
    assert.deepEqual(outcomes, ['failed', 'dead']);
  });

  it('retries recording a sent email before giving the error back', async () => {
    const { service, calls } = setup({ markSentFailures: 2 });
    const envelope = event();
    assert.equal(await service.deliver(envelope, { attempt: 1, maxAttempts: 3 }), 'sent');
    assert.deepEqual(calls, [`sent ${envelope.id}`]);
  });

  it('refuses events it cannot turn into an email', async () => {
    const { service, calls } = setup();
    const unknown = { ...event(), type: 'review.created' };
    await assert.rejects(service.deliver(unknown, { attempt: 1, maxAttempts: 3 }), UndeliverableEvent);
    const broken = { ...event(), data: { email: 'ada@example.test' } };
    await assert.rejects(service.deliver(broken, { attempt: 1, maxAttempts: 3 }), UndeliverableEvent);
    assert.deepEqual(calls, ['undeliverable']);
  });
});
