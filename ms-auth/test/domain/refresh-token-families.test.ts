import assert from 'node:assert/strict';
import { createTestMysqlDatabase, type TestMysqlDatabase } from '@marketshare/platform/testing';
import { loadMigrations, runMigrations } from '@marketshare/platform/mysql';
import { MIGRATIONS_DIRECTORY } from '../../src/bootstrap.js';
import type { AuthMetrics } from '../../src/domain/auth-metrics.js';
import { OAuthError } from '../../src/domain/oauth-error.js';
import { RefreshTokenFamilies } from '../../src/domain/tokens/refresh-token-families.js';
import { RefreshTokensRepository } from '../../src/store/refresh-tokens-repository.js';

describe('ms-auth refresh-token families', () => {
  let db: TestMysqlDatabase;
  let families: RefreshTokenFamilies;
  let reuseCount = 0;

  before(async () => {
    db = await createTestMysqlDatabase('ms_auth_families');
    await runMigrations(db.url, await loadMigrations(MIGRATIONS_DIRECTORY));
    const metrics: AuthMetrics = {
      tokenIssued: () => undefined,
      tokenRefused: () => undefined,
      refreshReuseDetected: () => {
        reuseCount += 1;
      },
    };
    families = new RefreshTokenFamilies(new RefreshTokensRepository(db.pool), metrics, {
      idleTtlSeconds: 600,
      absoluteTtlSeconds: 3600,
    });
  });

  after(async () => {
    await db.drop();
  });

  const owner = { clientId: 'frontend', subject: 'acc-1', scope: [] };

  it('issues 256-bit opaque tokens and stores only their SHA-256', async () => {
    const token = await families.start(owner);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    const [rows] = await db.pool.query('SELECT token_hash FROM refresh_tokens');
    assert.ok(Array.isArray(rows));
    assert.ok(!JSON.stringify(rows).includes(token));
  });

  it('binds a token to its client', async () => {
    const token = await families.start(owner);
    await assert.rejects(families.redeemable(token, 'ms-orders'), (error) => error instanceof OAuthError);
    assert.ok(await families.redeemable(token, 'frontend'));
  });

  it('lets exactly one of two rotations racing on the same record through, and revokes the family', async () => {
    const token = await families.start(owner);
    const record = await families.redeemable(token, 'frontend');
    const before = reuseCount;
    const outcomes = await Promise.allSettled([families.rotate(record), families.rotate(record)]);
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
    assert.equal(fulfilled.length, 1);
    assert.equal(rejected.length, 1);
    assert.ok(rejected[0]?.status === 'rejected' && rejected[0].reason instanceof OAuthError);
    assert.equal(reuseCount, before + 1);
    // The loser is treated as reuse: the winner's successor is revoked with the family.
    const successor = fulfilled[0]?.status === 'fulfilled' ? fulfilled[0].value : '';
    await assert.rejects(families.redeemable(successor, 'frontend'), (error) => error instanceof OAuthError);
  });

  it('revokes a family by any of its tokens, and only for its own client', async () => {
    const token = await families.start(owner);
    assert.equal(await families.revokeByToken(token, 'ms-orders'), false);
    assert.ok(await families.describeLive(token, 'frontend'));
    assert.equal(await families.revokeByToken(token, 'frontend'), true);
    assert.equal(await families.describeLive(token, 'frontend'), undefined);
  });
});
