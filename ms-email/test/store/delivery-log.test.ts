import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadMigrations, runMigrations } from '@marketshare/platform/mysql';
import { createTestMysqlDatabase } from '@marketshare/platform/testing';
import type { TestMysqlDatabase } from '@marketshare/platform/testing';
import type { ClaimRequest } from '../../src/domain/ports.js';
import { migrationsDirectory, MysqlDeliveryLog } from '../../src/store/delivery-log.js';

describe('ms-email store: MysqlDeliveryLog', () => {
  let db: TestMysqlDatabase;
  let log: MysqlDeliveryLog;

  before(async () => {
    db = await createTestMysqlDatabase('ms_email_store');
    await runMigrations(db.url, await loadMigrations(migrationsDirectory));
    log = new MysqlDeliveryLog(db.pool);
  });

  after(async () => {
    await db?.drop();
  });

  const request = (eventId: string, leaseMs = 60_000): ClaimRequest => ({
    eventId,
    eventType: 'account.created',
    emailType: 'welcome',
    recipient: 'ada@example.test',
    leaseMs,
  });

  it('lets exactly one of several concurrent claims of an event win', async () => {
    const eventId = randomUUID();
    const results = await Promise.all([1, 2, 3, 4].map(() => log.claim(request(eventId))));
    assert.equal(results.filter((result) => result.kind === 'claimed').length, 1);
    assert.equal(results.filter((result) => result.kind === 'busy').length, 3);
  });

  it('hands a failed or expired claim to the next attempt, and never re-claims a sent one', async () => {
    const eventId = randomUUID();
    assert.deepEqual(await log.claim(request(eventId, 1)), { kind: 'claimed', attempts: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(await log.claim(request(eventId)), { kind: 'claimed', attempts: 2 }, 'expired lease');
    await log.markFailed(eventId, 'ECONNREFUSED', { dead: false });
    assert.deepEqual(await log.claim(request(eventId)), { kind: 'claimed', attempts: 3 });
    await log.markSent(eventId, { messageId: '<m@test>', response: '250 OK' });
    assert.deepEqual(await log.claim(request(eventId)), { kind: 'sent' });

    // A late failure report or a dead copy of the same event does not undo the delivery.
    await log.markFailed(eventId, 'late', { dead: true });
    await log.recordUndeliverable({
      eventId,
      eventType: 'account.created',
      emailType: 'welcome',
      error: 'x',
    });
    const record = await log.find(eventId);
    assert.equal(record?.status, 'sent');
    assert.equal(record?.attempts, 3);
    assert.equal(record?.messageId, '<m@test>');
    assert.equal(record?.lastError, null);
    assert.ok(record?.sentAt instanceof Date);
  });

  it('lets an operator replay a dead event', async () => {
    const eventId = randomUUID();
    await log.claim(request(eventId));
    await log.markFailed(eventId, '550 no such user', { dead: true });
    assert.equal((await log.find(eventId))?.status, 'dead');
    assert.deepEqual(await log.claim(request(eventId)), { kind: 'claimed', attempts: 2 });
  });

  it('prunes deliveries untouched for longer than the retention window, but never a live claim', async () => {
    const sentOld = randomUUID();
    const failedOld = randomUUID();
    const expiredClaim = randomUUID();
    const liveClaim = randomUUID();
    const sentRecent = randomUUID();
    for (const eventId of [sentOld, failedOld, expiredClaim, liveClaim, sentRecent]) {
      await log.claim(request(eventId));
    }
    await log.markSent(sentOld, { messageId: '<a@x>', response: '250 ok' });
    await log.markFailed(failedOld, 'refused', { dead: false });
    await log.markSent(sentRecent, { messageId: '<b@x>', response: '250 ok' });
    const ageEightDays = async (eventId: string, lease: 'expired' | 'live' | 'unchanged') => {
      await db.pool.execute(
        `UPDATE email_deliveries SET updated_at = NOW(3) - INTERVAL 8 DAY,
           lease_until = CASE ? WHEN 'expired' THEN NOW(3) - INTERVAL 1 DAY
                                WHEN 'live' THEN NOW(3) + INTERVAL 1 HOUR ELSE lease_until END
         WHERE event_id = ?`,
        [lease, eventId],
      );
    };
    await ageEightDays(sentOld, 'unchanged');
    await ageEightDays(failedOld, 'unchanged');
    await ageEightDays(expiredClaim, 'expired');
    await ageEightDays(liveClaim, 'live');
    assert.ok((await log.prune(7 * 24 * 3600_000)) >= 3);
    for (const gone of [sentOld, failedOld, expiredClaim]) assert.equal(await log.find(gone), undefined);
    assert.equal((await log.find(liveClaim))?.status, 'sending');
    assert.equal((await log.find(sentRecent))?.status, 'sent');
  });
});
