import assert from 'node:assert/strict';
import { InvalidTokenError, type TokenVerifier } from '../../src/auth/jwks-verifier.js';
import type { Principal } from '../../src/auth/principal.js';
import { RevocationCheckingVerifier, RevocationList } from '../../src/auth/revocation-list.js';

const LIFETIME_SECONDS = 300;
const TOLERANCE_SECONDS = 5;
const T0 = Date.parse('2030-01-01T12:00:00.000Z');

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    subject: 'account-1',
    kind: 'user',
    role: 'consumer',
    scopes: new Set(),
    clientId: 'frontend',
    tokenId: 'jti-1',
    issuedAt: Math.floor(T0 / 1000) - 60,
    sessionId: 'session-1',
    ...overrides,
  };
}

describe('auth: RevocationList', () => {
  let now = T0;
  const list = () =>
    new RevocationList({
      maxTokenLifetimeSeconds: LIFETIME_SECONDS,
      clockToleranceSeconds: TOLERANCE_SECONDS,
      now: () => now,
    });
  beforeEach(() => {
    now = T0;
  });

  it('refuses a revoked token id and nothing else', () => {
    const revocations = list();
    revocations.apply({ kind: 'token', jti: 'jti-1', expiresAt: new Date(T0 + 60_000) });
    assert.equal(revocations.refusal(principal()), 'token revoked');
    assert.equal(revocations.refusal(principal({ tokenId: 'jti-2' })), undefined);
  });

  it('refuses every token of a revoked sign-in', () => {
    const revocations = list();
    revocations.apply({ kind: 'session', sessionId: 'session-1', revokedAt: new Date(T0) });
    assert.equal(revocations.refusal(principal({ tokenId: 'any' })), 'session revoked');
    assert.equal(revocations.refusal(principal({ sessionId: 'session-2' })), undefined);
    assert.equal(revocations.refusal(principal({ sessionId: undefined })), undefined);
  });

  it("refuses a subject's tokens issued before the revocation or in its second, not those issued after", () => {
    const revocations = list();
    revocations.apply({ kind: 'subject', subject: 'account-1', revokedBefore: new Date(T0 + 400) });
    const second = Math.floor(T0 / 1000);
    assert.equal(revocations.refusal(principal({ issuedAt: second - 1 })), 'subject revoked');
    // iat has whole seconds: a token of the same second may predate the revocation.
    assert.equal(revocations.refusal(principal({ issuedAt: second })), 'subject revoked');
    assert.equal(revocations.refusal(principal({ issuedAt: second + 1 })), undefined);
    assert.equal(revocations.refusal(principal({ issuedAt: undefined })), 'subject revoked');
    assert.equal(revocations.refusal(principal({ subject: 'account-2' })), undefined);
  });

  it('keeps the latest instant when subject revocations arrive out of order', () => {
    const revocations = list();
    revocations.apply({ kind: 'subject', subject: 'account-1', revokedBefore: new Date(T0 + 10_000) });
    revocations.apply({ kind: 'subject', subject: 'account-1', revokedBefore: new Date(T0) });
    assert.equal(revocations.refusal(principal({ issuedAt: Math.floor(T0 / 1000) + 5 })), 'subject revoked');
  });

  it('forgets entries once every token they cover has expired', () => {
    const revocations = list();
    revocations.apply({ kind: 'token', jti: 'jti-1', expiresAt: new Date(T0 + 60_000) });
    revocations.apply({ kind: 'session', sessionId: 'session-9', revokedAt: new Date(T0) });
    revocations.apply({ kind: 'subject', subject: 'account-9', revokedBefore: new Date(T0) });
    assert.equal(revocations.size, 3);
    now = T0 + 60_000 + TOLERANCE_SECONDS * 1000 + 1;
    assert.equal(revocations.refusal(principal()), undefined, 'the token expired: its entry went');
    now = T0 + (LIFETIME_SECONDS + TOLERANCE_SECONDS) * 1000 + 1;
    assert.equal(revocations.refusal(principal({ sessionId: 'session-9' })), undefined);
    assert.equal(revocations.refusal(principal({ subject: 'account-9' })), undefined);
    assert.equal(revocations.size, 0);
  });

  it('never keeps a token entry longer than a token lifetime, whatever its exp says', () => {
    const revocations = list();
    revocations.apply({ kind: 'token', jti: 'jti-1', expiresAt: new Date(T0 + 86_400_000) });
    now = T0 + (LIFETIME_SECONDS + TOLERANCE_SECONDS) * 1000 + 1;
    assert.equal(revocations.refusal(principal()), undefined);
  });

  it("tells an issuer how long to wait until a new token falls after the subject's revoked second", () => {
    const revocations = list();
    assert.equal(revocations.msUntilIssuable('account-1'), 0);
    revocations.apply({ kind: 'subject', subject: 'account-1', revokedBefore: new Date(T0 + 400) });
    now = T0 + 700;
    assert.equal(revocations.msUntilIssuable('account-1'), 300);
    now = T0 + 1000;
    assert.equal(revocations.msUntilIssuable('account-1'), 0);
    now = T0 - 60_000;
    assert.equal(revocations.msUntilIssuable('account-1'), 2_000, 'bounded when the clocks disagree');
  });

  it('makes the checking verifier throw InvalidTokenError, as for an expired token', async () => {
    const revocations = list();
    const inner: TokenVerifier = { verify: () => Promise.resolve(principal()) };
    const verifier = new RevocationCheckingVerifier(inner, revocations);
    assert.equal((await verifier.verify('token')).subject, 'account-1');
    revocations.apply({ kind: 'subject', subject: 'account-1', revokedBefore: new Date(T0) });
    await assert.rejects(verifier.verify('token'), InvalidTokenError);
  });
});
