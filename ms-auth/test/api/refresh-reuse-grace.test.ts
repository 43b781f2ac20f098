import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RowDataPacket } from '@marketshare/platform/mysql';
import { startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import type { FakeAccount } from '../support/fake-users-service.js';
import { field, postForm, stringField } from '../support/oauth-client.js';

/** The reuse grace through the token endpoint; the default grace (10 s) unless a variant says otherwise. */
describe('ms-auth refresh-token reuse grace', () => {
  let auth: AuthHarness;
  let tokenUrl: string;
  let account: FakeAccount;

  before(async () => {
    auth = await startAuthHarness('ms_auth_grace');
    tokenUrl = `${auth.url}/api/auth/token`;
    account = auth.users.addAccount({
      id: 'acc-grace-1',
      username: 'grace',
      password: 'correct horse',
      role: 'consumer',
      status: 'active',
    });
  });

  after(async () => {
    await auth.stop();
  });

  async function signIn(url = tokenUrl): Promise<string> {
    const response = await postForm(
      url,
      { grant_type: 'password', username: 'grace', password: 'correct horse' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 200, response.text);
    return stringField(response, 'refresh_token');
  }

  const refresh = (refreshToken: string, url = tokenUrl) =>
    postForm(url, { grant_type: 'refresh_token', refresh_token: refreshToken }, { as: 'frontend' });

  async function counter(baseUrl: string, name: string): Promise<number> {
    const text = await fetch(`${baseUrl}/metrics`).then((response) => response.text());
    const match = new RegExp(`^${name}\\{service="ms-auth"\\} (\\d+)$`, 'm').exec(text);
    assert.ok(match?.[1], `${name} is exported`);
    return Number(match[1]);
  }

  async function familyOf(token: string): Promise<{ tokens: number; revoked: boolean }> {
    const [rows] = await auth.db.pool.query<RowDataPacket[]>(
      `SELECT f.revoked_at, (SELECT COUNT(*) FROM refresh_tokens t WHERE t.family_id = f.id) AS tokens
       FROM refresh_token_families f
       WHERE f.id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ?)`,
      [createHash('sha256').update(token, 'utf8').digest()],
    );
    const row = rows[0];
    assert.ok(row, 'the family exists');
    return { tokens: Number(row['tokens']), revoked: row['revoked_at'] !== null };
  }

  it('gives each of 10 concurrent refreshes of one token 200 and the same successor; the family lives on', async () => {
    const token = await signIn();
    const gracedBefore = await counter(auth.url, 'auth_refresh_reuse_grace_total');
    const reusesBefore = await counter(auth.url, 'auth_refresh_reuse_detected_total');

    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(token)));
    assert.deepEqual(
      results.map((response) => response.status),
      Array.from({ length: 10 }, () => 200),
      results.map((response) => response.text).join('\n'),
    );
    const successors = new Set(results.map((response) => stringField(response, 'refresh_token')));
    assert.equal(successors.size, 1, 'one successor for all');
    const [successor = ''] = successors;
    assert.notEqual(successor, token);
    // Every answer carries a working access token of its own.
    for (const response of results) {
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const introspected = await postForm(
        `${auth.url}/api/auth/introspect`,
        { token: stringField(response, 'access_token') },
        { as: 'frontend' },
      );
      assert.equal(field(introspected, 'active'), true);
    }
    assert.deepEqual(
      await familyOf(token),
      { tokens: 2, revoked: false },
      'one rotation, one successor stored',
    );
    assert.equal(await counter(auth.url, 'auth_refresh_reuse_grace_total'), gracedBefore + 9);
    assert.equal(await counter(auth.url, 'auth_refresh_reuse_detected_total'), reusesBefore);

    // The successor then rotates as usual, and the chain goes on.
    const next = await refresh(successor);
    assert.equal(next.status, 200, next.text);
    const third = stringField(next, 'refresh_token');
    assert.ok(third !== successor && third !== token);
    const fourth = await refresh(third);
    assert.equal(fourth.status, 200, fourth.text);
    assert.deepEqual(await familyOf(token), { tokens: 4, revoked: false });
  });

  it('resurrects nothing once the successor was rotated further: the replay revokes the family', async () => {
    const first = await signIn();
    const second = stringField(await refresh(first), 'refresh_token');
    const third = stringField(await refresh(second), 'refresh_token');

    const replay = await refresh(first);
    assert.equal(replay.status, 400);
    assert.equal(field(replay, 'error'), 'invalid_grant');
    assert.equal((await refresh(third)).status, 400, 'the newest token went with its family');
    assert.equal((await familyOf(first)).revoked, true);
  });

  it('re-reads the account for a replay too: a deactivated account gets nothing and loses the family', async () => {
    const first = await signIn();
    const second = stringField(await refresh(first), 'refresh_token');
    account.status = 'deactivated';
    try {
      const replay = await refresh(first);
      assert.equal(replay.status, 400);
      assert.equal(field(replay, 'error'), 'invalid_grant');
    } finally {
      account.status = 'active';
    }
    assert.equal((await refresh(second)).status, 400);
  });

  it('revokes the family for a replay after the grace, as RFC 9700 wants', async () => {
    const short = await auth.startVariant({ REFRESH_REUSE_GRACE_SECONDS: '1' });
    const url = `${short.url}/api/auth/token`;
    const first = await signIn(url);
    const rotated = await refresh(first, url);
    assert.equal(rotated.status, 200, rotated.text);
    const second = stringField(rotated, 'refresh_token');
    await sleep(1_100);

    const replay = await refresh(first, url);
    assert.equal(replay.status, 400);
    assert.equal(field(replay, 'error'), 'invalid_grant');
    assert.equal((await refresh(second, url)).status, 400, 'the successor went with its family');
    assert.equal(await counter(short.url, 'auth_refresh_reuse_detected_total'), 1);
    assert.equal(await counter(short.url, 'auth_refresh_reuse_grace_total'), 0);
  });
});
