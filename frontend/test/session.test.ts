/** The sealed session cookie: tampering, other secrets, idle and absolute limits. */
import assert from 'node:assert/strict';
import { createSealer } from '../src/lib/server/session/seal.js';
import { needsRefresh, newSession, openSession, withTokens } from '../src/lib/server/session/session.js';

const SECRET = 'a-test-session-secret-of-enough-length';
const policy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000, accountCheckMs: 15_000 };
const tokens = { accessToken: 'header.payload.sig', refreshToken: 'refresh-token-value', expiresIn: 300 };
const user = { id: 'u1', role: 'consumer' as const, name: 'Acme GmbH' };
const T0 = Date.UTC(2026, 0, 1);

describe('frontend sealed session cookie', () => {
  const sealer = createSealer(SECRET, 'session');
  const cookie = sealer.seal(newSession(user, tokens, T0));

  it('opens to the session it sealed, and hides the tokens', () => {
    const state = openSession(sealer, cookie, policy, T0 + 1000);
    assert.equal(state.kind, 'active');
    assert.ok(state.kind === 'active');
    assert.equal(state.session.refreshToken, 'refresh-token-value');
    assert.deepEqual(state.session.user, user);
    assert.ok(!cookie.includes('refresh-token-value') && !cookie.includes('header.payload'));
  });

  it('gives no session for a changed byte anywhere, a truncated cookie, or garbage', () => {
    const body = cookie.slice(3);
    for (const index of [0, Math.floor(body.length / 2), body.length - 2]) {
      const flipped = body[index] === 'A' ? 'B' : 'A';
      const tampered = `v1.${body.slice(0, index)}${flipped}${body.slice(index + 1)}`;
      assert.deepEqual(openSession(sealer, tampered, policy, T0), { kind: 'none' }, `byte ${index}`);
    }
    assert.deepEqual(openSession(sealer, cookie.slice(0, -4), policy, T0), { kind: 'none' });
    assert.deepEqual(openSession(sealer, 'v1.AAAA', policy, T0), { kind: 'none' });
    assert.deepEqual(openSession(sealer, 'not-a-cookie', policy, T0), { kind: 'none' });
    assert.deepEqual(openSession(sealer, undefined, policy, T0), { kind: 'none' });
  });

  it('gives no session for a cookie sealed under another secret or for another purpose', () => {
    assert.deepEqual(openSession(createSealer(`${SECRET}-other`, 'session'), cookie, policy, T0), {
      kind: 'none',
    });
    assert.deepEqual(openSession(createSealer(SECRET, 'flash'), cookie, policy, T0), { kind: 'none' });
  });

  it('gives no session for a sealed value that is not a session', () => {
    assert.deepEqual(openSession(sealer, sealer.seal({ v: 1, id: 'x' }), policy, T0), { kind: 'none' });
    const forged = { ...newSession(user, tokens, T0), user: { ...user, role: 'superuser' } };
    assert.deepEqual(openSession(sealer, sealer.seal(forged), policy, T0), { kind: 'none' });
  });

  it('ends after the idle timeout, counted from the last request', () => {
    assert.equal(openSession(sealer, cookie, policy, T0 + policy.idleMs - 1).kind, 'active');
    assert.deepEqual(openSession(sealer, cookie, policy, T0 + policy.idleMs), {
      kind: 'ended',
      reason: 'idle',
    });
    const touched = sealer.seal({ ...newSession(user, tokens, T0), lastSeenAt: T0 + policy.idleMs });
    assert.equal(openSession(sealer, touched, policy, T0 + policy.idleMs + 1000).kind, 'active');
  });

  it('ends after the absolute lifetime however active it is', () => {
    const busy = sealer.seal({ ...newSession(user, tokens, T0), lastSeenAt: T0 + policy.maxMs - 1 });
    assert.equal(openSession(sealer, busy, policy, T0 + policy.maxMs - 1).kind, 'active');
    assert.deepEqual(openSession(sealer, busy, policy, T0 + policy.maxMs), {
      kind: 'ended',
      reason: 'expired',
    });
  });

  it('asks for a refresh 30 s before the access token expires, and takes the new role', () => {
    const session = newSession(user, tokens, T0);
    const never = Number.POSITIVE_INFINITY;
    assert.equal(needsRefresh(session, T0 + 269_000, never), false);
    assert.equal(needsRefresh(session, T0 + 270_000, never), true);
    const refreshed = withTokens(session, { ...tokens, refreshToken: 'next' }, 'seller', T0 + 280_000);
    assert.equal(refreshed.refreshToken, 'next');
    assert.equal(refreshed.user.role, 'seller');
    assert.equal(refreshed.accessExpiresAt, T0 + 580_000);
    assert.equal(refreshed.createdAt, T0);
  });

  it('refreshes at least every accountCheckMs, so a deactivated account is found out', () => {
    const session = newSession(user, tokens, T0);
    assert.equal(needsRefresh(session, T0 + 14_999, policy.accountCheckMs), false);
    assert.equal(needsRefresh(session, T0 + 15_000, policy.accountCheckMs), true);
    const refreshed = withTokens(session, tokens, 'consumer', T0 + 15_000);
    assert.equal(needsRefresh(refreshed, T0 + 29_999, policy.accountCheckMs), false);
    // A cookie sealed before the field existed is checked on its first request.
    const { grantedAt: _dropped, ...older } = session;
    const reopened = openSession(sealer, sealer.seal(older), policy, T0 + 1);
    assert.ok(reopened.kind === 'active');
    assert.equal(needsRefresh(reopened.session, T0 + 1, policy.accountCheckMs), true);
  });
});
