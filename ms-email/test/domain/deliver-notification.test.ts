import assert from 'node:assert/strict';
import { createLogger } from '@marketshare/platform';
import { newEnvelope } from '@marketshare/platform/contracts';
import { NotificationService } from '../../src/domain/deliver-notification.js';
import { DeliveryInProgress, MailSendError, UndeliverableEvent } from '../../src/domain/errors.js';
import type {
  AccountContact,
  AccountDirectory,
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

const ACCOUNTS: Record<string, AccountContact> = {
  c1: {
    id: 'c1',
    username: 'ada',
    companyName: 'Ada Ltd',
    email: 'ada@example.test',
    role: 'consumer',
    status: 'active',
  },
  c2: {
    id: 'c2',
    username: 'bob',
    companyName: 'Bob Ltd',
    email: 'bob@example.test',
    role: 'consumer',
    status: 'deactivated',
  },
};

function orderCreated(consumerId: string, status: 'RECEIVED' | 'IN_DELIVERY' = 'RECEIVED') {
  return newEnvelope('order.created', {
    orderId: 'o1',
    consumerId,
    sellerId: 's1',
    status,
    totalMinor: 2500,
    currency: 'EUR',
    items: [{ productId: 'p1', name: 'Mug', quantity: 2, unitPriceMinor: 1250 }],
  });
}

/** In-memory fakes that record what the use case did. */
function setup(
  options: {
    claim?: ClaimResult;
    sendError?: Error;
    markSentFailures?: number;
    directoryDown?: boolean;
  } = {},
) {
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
  const directory: AccountDirectory = {
    findAccount: async (id) => {
      if (options.directoryDown) throw new Error('users unavailable: ECONNREFUSED');
      return ACCOUNTS[id];
    },
  };
  const service = new NotificationService({
    log,
    directory,
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

  it('sends an order email to the consumer ms-users knows, naming an unknown seller generically', async () => {
    const { service, sent } = setup();
    assert.equal(await service.deliver(orderCreated('c1'), { attempt: 1, maxAttempts: 3 }), 'sent');
    assert.deepEqual(sent[0]?.to, { name: 'Ada Ltd', address: 'ada@example.test' });
    assert.ok(sent[0]?.text.includes('The seller received your order'));
  });

  it('skips an order email for a deactivated or unknown consumer, and for statuses nobody is told about', async () => {
    const { service, sent, outcomes, calls } = setup();
    for (const envelope of [orderCreated('c2'), orderCreated('nobody'), orderCreated('c1', 'IN_DELIVERY')]) {
      assert.equal(await service.deliver(envelope, { attempt: 1, maxAttempts: 3 }), 'skipped');
    }
    assert.deepEqual(sent, []);
    assert.deepEqual(calls, []);
    assert.deepEqual(outcomes, ['skipped', 'skipped', 'skipped']);
  });

  it('gives a failed account lookup back for a retry, counted as failed and dead on the last attempt', async () => {
    const { service, sent, outcomes, calls } = setup({ directoryDown: true });
    await assert.rejects(service.deliver(orderCreated('c1'), { attempt: 1, maxAttempts: 2 }), /ECONNREFUSED/);
    await assert.rejects(service.deliver(orderCreated('c1'), { attempt: 2, maxAttempts: 2 }), /ECONNREFUSED/);
    assert.deepEqual(sent, []);
    assert.deepEqual(calls, []);
    assert.deepEqual(outcomes, ['failed', 'dead']);
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
