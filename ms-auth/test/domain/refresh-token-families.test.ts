import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createTestMysqlDatabase, type TestMysqlDatabase } from '@marketshare/platform/testing';
import { runMigrations, type RowDataPacket } from '@marketshare/platform/mysql';
import { authMigrations } from '../../src/bootstrap.js';
import type { AuthMetrics } from '../../src/domain/auth-metrics.js';
import { OAuthError } from '../../src/domain/oauth-error.js';
import {
  RefreshTokenFamilies,
  type RefreshTokenPolicy,
} from '../../src/domain/tokens/refresh-token-families.js';
import { SuccessorSealer } from '../../src/domain/tokens/successor-sealing.js';
import { RefreshTokensRepository } from '../../src/store/refresh-tokens-repository.js';

const SECRET = 'test-key-encryption-secret-0123456789';
const GRACE_SECONDS = 10;
const isOAuthError = (error: unknown) => error instanceof OAuthError;
const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

describe('ms-auth refresh-token families', () => {
  let db: TestMysqlDatabase;
  let repository: RefreshTokensRepository;
  let reuseCount = 0;
  let graceCount = 0;
  // The clock the graced families read; tests move it instead of sleeping.
  let now = Date.now();
  const metrics: AuthMetrics = {
    tokenIssued: () => undefined,
    tokenRefused: () => undefined,
    refreshReuseDetected: () => {
      reuseCount += 1;
    },
    refreshReplayedWithinGrace: () => {
      graceCount += 1;
    },
  };
  const policy = (reuseGraceSeconds: number): RefreshTokenPolicy => ({
    idleTtlSeconds: 600,
    absoluteTtlSeconds: 3600,
    reuseGraceSeconds,
  });
  const familiesWith = (grace: number, secret = SECRET) =>
    new RefreshTokenFamilies(
      repository,
      metrics,
      policy(grace),
      new SuccessorSealer(secret),
      () => new Date(now),
    );

  before(async () => {
    db = await createTestMysqlDatabase('ms_auth_families');
    await runMigrations(db.url, await authMigrations());
    repository = new RefreshTokensRepository(db.pool);
  });

  after(async () => {
    await db.drop();
  });

  const owner = { clientId: 'frontend', subject: 'acc-1', scope: [] };

  /** Redeem and rotate, as the refresh grant does. */
  const refresh = async (families: RefreshTokenFamilies, token: string, clientId = 'frontend') =>
    families.rotate(await families.redeemable(token, clientId));

  async function rotationRow(token: string) {
    const [rows] = await db.pool.query<RowDataPacket[]>(
      'SELECT successor_hash, successor_sealed, successor_sealed_until FROM refresh_tokens WHERE token_hash = ?',
      [hashOf(token)],
    );
    const row = rows[0];
    assert.ok(row, 'token row exists');
    return row;
  }

  describe('strict (grace 0)', () => {
    it('issues 256-bit opaque tokens and stores only their SHA-256', async () => {
      const { token } = await familiesWith(0).start(owner);
      assert.equal(Buffer.from(token, 'base64url').length, 32);
      const [rows] = await db.pool.query('SELECT token_hash FROM refresh_tokens');
      assert.ok(Array.isArray(rows));
      assert.ok(!JSON.stringify(rows).includes(token));
    });

    it('binds a token to its client', async () => {
      const families = familiesWith(0);
      const { token } = await families.start(owner);
      await assert.rejects(families.redeemable(token, 'ms-orders'), isOAuthError);
      assert.ok(await families.redeemable(token, 'frontend'));
    });

    it('lets exactly one of two rotations racing on the same record through, and revokes the family', async () => {
      const families = familiesWith(0);
      const { token } = await families.start(owner);
      const record = await families.redeemable(token, 'frontend');
      const reusesBefore = reuseCount;
      const outcomes = await Promise.allSettled([families.rotate(record), families.rotate(record)]);
      const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
      assert.equal(fulfilled.length, 1);
      assert.equal(rejected.length, 1);
      assert.ok(rejected[0]?.status === 'rejected' && rejected[0].reason instanceof OAuthError);
      assert.equal(reuseCount, reusesBefore + 1);
      // The loser is treated as reuse: the winner's successor is revoked with the family.
      const successor = fulfilled[0]?.status === 'fulfilled' ? fulfilled[0].value : '';
      await assert.rejects(families.redeemable(successor, 'frontend'), isOAuthError);
      // Without a grace nothing of the successor is kept but its hash.
      const row = await rotationRow(token);
      assert.equal(row['successor_sealed'], null);
      assert.deepEqual(row['successor_hash'], hashOf(successor));
    });

    it('revokes a family by any of its tokens, and only for its own client', async () => {
      const families = familiesWith(0);
      const { token } = await families.start(owner);
      assert.equal(await families.revokeByToken(token, 'ms-orders'), false);
      assert.ok(await families.describeLive(token, 'frontend'));
      assert.equal(await families.revokeByToken(token, 'frontend'), true);
      assert.equal(await families.describeLive(token, 'frontend'), undefined);
    });
  });

  describe(`reuse grace (${GRACE_SECONDS} s, on a clock the test moves)`, () => {
    const families = () => familiesWith(GRACE_SECONDS);

    it('hands the same successor back just inside the grace, and revokes the family at its end', async () => {
      now = Date.now();
      const { token: first } = await families().start(owner);
      const second = await refresh(families(), first);
      const gracedBefore = graceCount;
      now += GRACE_SECONDS * 1000 - 1;
      assert.equal(await refresh(families(), first), second);
      assert.equal(graceCount, gracedBefore + 1);
      assert.ok(await families().describeLive(second, 'frontend'), 'the family is alive');

      const reusesBefore = reuseCount;
      now += 1;
      await assert.rejects(refresh(families(), first), isOAuthError);
      assert.equal(reuseCount, reusesBefore + 1);
      await assert.rejects(refresh(families(), second), isOAuthError);
    });

    it('keeps the successor only sealed, and erases it once its grace has lapsed', async () => {
      now = Date.now();
      const { token: first } = await families().start(owner);
      const second = await refresh(families(), first);
      const sealed = (await rotationRow(first))['successor_sealed'];
      assert.ok(Buffer.isBuffer(sealed));
      assert.ok(!sealed.includes(Buffer.from(second)) && !sealed.includes(Buffer.from(second, 'base64url')));
      assert.equal(await repository.eraseLapsedSuccessors(new Date(now + GRACE_SECONDS * 1000 - 1)), 0);
      assert.ok(
        (await repository.eraseLapsedSuccessors(new Date(now + GRACE_SECONDS * 1000))) >= 1,
        'the lapsed copy is erased',
      );
      const erased = await rotationRow(first);
      assert.equal(erased['successor_sealed'], null);
      assert.equal(erased['successor_sealed_until'], null);
    });

    it('never rolls a chain back: once the successor was rotated, a replay of its predecessor revokes', async () => {
      now = Date.now();
      const { token: first } = await families().start(owner);
      const second = await refresh(families(), first);
      const third = await refresh(families(), second);
      // Rotating the successor erased the predecessor's sealed copy of it.
      assert.equal((await rotationRow(first))['successor_sealed'], null);
      await assert.rejects(refresh(families(), first), isOAuthError);
      await assert.rejects(refresh(families(), third), isOAuthError, 'the family is revoked');
    });

    it('revokes when another client replays a rotated token, and hands it nothing', async () => {
      now = Date.now();
      const { token: first } = await families().start(owner);
      const second = await refresh(families(), first);
      const reusesBefore = reuseCount;
      await assert.rejects(refresh(families(), first, 'ms-orders'), isOAuthError);
      assert.equal(reuseCount, reusesBefore + 1);
      await assert.rejects(refresh(families(), second), isOAuthError, 'the family is revoked');
      assert.equal((await rotationRow(first))['successor_sealed'], null, 'revoking erased the sealed copy');
    });

    it('hands nothing back when the sealed copy does not open (another secret): that is reuse', async () => {
      now = Date.now();
      const { token: first } = await families().start(owner);
      const second = await refresh(families(), first);
      const otherSecret = familiesWith(GRACE_SECONDS, 'another-key-encryption-secret-987654');
      await assert.rejects(refresh(otherSecret, first), isOAuthError);
      await assert.rejects(refresh(families(), second), isOAuthError);
    });

    it('gives every one of several racing rotations of one record the one successor', async () => {
      now = Date.now();
      const { token: start } = await families().start(owner);
      const record = await families().redeemable(start, 'frontend');
      const tokens = await Promise.all(Array.from({ length: 5 }, () => families().rotate(record)));
      assert.equal(new Set(tokens).size, 1);
      const [rows] = await db.pool.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM refresh_tokens WHERE family_id = ?',
        [record.familyId],
      );
      assert.equal(Number(rows[0]?.['n']), 2, 'one token rotated, one successor stored');
    });
  });
});
