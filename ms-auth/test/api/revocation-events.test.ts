import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import type { RowDataPacket } from '@marketshare/platform/mysql';
import { startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import { field as responseField, postForm, stringField } from '../support/oauth-client.js';

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;

/**
 * What ms-auth announces for the services that verify tokens themselves (through its outbox, in
 * the transaction of the revocation), and what its own introspection applies.
 */
describe('ms-auth revocation events', () => {
  let auth: AuthHarness;

  before(async () => {
    auth = await startAuthHarness('ms_auth_revocation_events');
    auth.users.addAccount({
      id: 'acc-9',
      username: 'wanda',
      password: 'correct horse',
      role: 'consumer',
      status: 'active',
    });
  });
  after(async () => {
    await auth?.stop();
  });

  async function signIn(): Promise<{ accessToken: string; refreshToken: string; sid: unknown }> {
    const response = await postForm(
      `${auth.url}/api/auth/token`,
      { grant_type: 'password', username: 'wanda', password: 'correct horse' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 200, response.text);
    const accessToken = stringField(response, 'access_token');
    const claims = jwt.decode(accessToken, { json: true });
    return { accessToken, refreshToken: stringField(response, 'refresh_token'), sid: claims?.['sid'] };
  }

  const revoke = async (token: string) => {
    const response = await postForm(`${auth.url}/api/auth/revoke`, { token }, { as: 'frontend' });
    assert.equal(response.status, 200, response.text);
  };

  /** The outbox's events after `afterSeq`, oldest first. */
  async function outboxSince(afterSeq: number): Promise<{ seq: number; type: string; data: unknown }[]> {
    const [rows] = await auth.db.pool.query<RowDataPacket[]>(
      'SELECT seq, routing_key, envelope FROM outbox WHERE seq > ? ORDER BY seq',
      [afterSeq],
    );
    return rows.map((row) => {
      const raw: unknown = row['envelope'];
      const envelope: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
      const data: unknown =
        typeof envelope === 'object' && envelope !== null ? Reflect.get(envelope, 'data') : undefined;
      return { seq: Number(row['seq']), type: String(row['routing_key']), data };
    });
  }

  const lastSeq = async () => (await outboxSince(0)).at(-1)?.seq ?? 0;

  it('puts the sign-in id into the access tokens of a sign-in, and announces the session on logout', async () => {
    const session = await signIn();
    assert.equal(typeof session.sid, 'string');
    const before = await lastSeq();
    await revoke(session.refreshToken);
    const events = await outboxSince(before);
    assert.deepEqual(
      events.map(({ type, data }) => ({
        type,
        sessionId: field(data, 'sessionId'),
        subject: field(data, 'subject'),
        reason: field(data, 'reason'),
      })),
      [{ type: 'auth.session_revoked', sessionId: session.sid, subject: 'acc-9', reason: 'logout' }],
    );
    await revoke(session.refreshToken);
    assert.deepEqual(await outboxSince(before + 1), [], 'a second logout announces nothing');
  });

  it('announces a revoked access token by its jti, once', async () => {
    const { accessToken } = await signIn();
    const jti = jwt.decode(accessToken, { json: true })?.jti;
    const before = await lastSeq();
    await revoke(accessToken);
    await revoke(accessToken);
    const events = await outboxSince(before);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, 'auth.token_revoked');
    assert.equal(field(events[0]?.data, 'jti'), jti);
    assert.equal(field(events[0]?.data, 'subject'), 'acc-9');
  });

  it('announces the session of a replayed refresh token', async () => {
    const session = await signIn();
    const refresh = (token: string) =>
      postForm(
        `${auth.url}/api/auth/token`,
        { grant_type: 'refresh_token', refresh_token: token },
        { as: 'frontend' },
      );
    const rotated = await refresh(session.refreshToken);
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal((await refresh(stringField(rotated, 'refresh_token'))).status, 200);
    const before = await lastSeq();
    // The chain moved past the first token: presenting it again is reuse, grace or not.
    const replay = await refresh(session.refreshToken);
    assert.equal(replay.status, 400, replay.text);
    const events = await outboxSince(before);
    assert.deepEqual(
      events.map(({ type, data }) => [type, field(data, 'sessionId'), field(data, 'reason')]),
      [['auth.session_revoked', session.sid, 'refresh_token_reuse']],
    );
  });

  it("signs a sign-in right after a password reset outside the reset's second, so it is not refused", async () => {
    const revokedBefore = new Date();
    auth.revocations.apply({ kind: 'subject', subject: 'acc-9', revokedBefore });
    const { accessToken } = await signIn();
    const iat = Number(jwt.decode(accessToken, { json: true })?.iat);
    assert.ok(iat > Math.floor(revokedBefore.getTime() / 1000), `iat ${iat} after the revoked second`);
    assert.equal(
      responseField(
        await postForm(`${auth.url}/api/auth/introspect`, { token: accessToken }, { as: 'ms-orders' }),
        'active',
      ),
      true,
    );
  });

  it("introspection applies announced revocations: a subject's, a session's", async () => {
    const first = await signIn();
    const second = await signIn();
    const active = async (token: string) =>
      responseField(
        await postForm(`${auth.url}/api/auth/introspect`, { token }, { as: 'ms-orders' }),
        'active',
      );
    assert.equal(await active(first.accessToken), true);
    assert.equal(typeof second.sid, 'string');
    auth.revocations.apply({ kind: 'session', sessionId: String(second.sid), revokedAt: new Date() });
    assert.equal(await active(second.accessToken), false);
    assert.equal(await active(first.accessToken), true, 'another sign-in of the same account');
    auth.revocations.apply({ kind: 'subject', subject: 'acc-9', revokedBefore: new Date() });
    assert.equal(await active(first.accessToken), false);
  });
});
