import assert from 'node:assert/strict';
import { hashClientSecret, secretMatches } from '../../src/domain/clients/client-secret.js';
import { OAuthError } from '../../src/domain/oauth-error.js';
import { grantableScope, parseScope } from '../../src/domain/scopes.js';

const isInvalidScope = (error: unknown) => error instanceof OAuthError && error.code === 'invalid_scope';

describe('ms-auth scopes', () => {
  it('parses space-separated scope tokens, dropping duplicates', () => {
    assert.equal(parseScope(undefined), undefined);
    assert.deepEqual(parseScope('users:read  stock:reserve users:read'), ['users:read', 'stock:reserve']);
  });

  it('refuses characters RFC 6749 §3.3 does not allow', () => {
    for (const raw of ['a"b', 'a\\b', 'é', 'a\tb']) assert.throws(() => parseScope(raw), isInvalidScope, raw);
  });

  it('grants every allowed scope by default, a subset on request, and refuses more', () => {
    const allowed = new Set(['users:read', 'stock:reserve']);
    assert.deepEqual(grantableScope(undefined, allowed), ['stock:reserve', 'users:read']);
    assert.deepEqual(grantableScope(['users:read'], allowed), ['users:read']);
    assert.throws(() => grantableScope(['users:read', 'admin'], allowed), isInvalidScope);
  });
});

describe('ms-auth client secrets', () => {
  it('matches only the secret that was hashed', () => {
    const stored = hashClientSecret('the-secret-0123456789');
    assert.equal(stored.length, 32);
    assert.equal(secretMatches('the-secret-0123456789', stored), true);
    assert.equal(secretMatches('the-secret-012345678', stored), false);
    assert.equal(secretMatches('', stored), false);
  });
});
