import assert from 'node:assert/strict';
import { JwksVerifier } from '@marketshare/platform';
import { freePort } from '@marketshare/platform/testing';
import jwt from 'jsonwebtoken';
import { AUDIENCE, ISSUER, startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import { field, postForm, stringField } from '../support/oauth-client.js';

describe('ms-auth password grant', () => {
  let auth: AuthHarness;
  let tokenUrl: string;

  before(async () => {
    auth = await startAuthHarness('ms_auth_password');
    tokenUrl = `${auth.url}/api/auth/token`;
    auth.users.addAccount({
      id: 'acc-seller-1',
      username: 'sally',
      password: 'correct horse',
      role: 'seller',
      status: 'active',
    });
    auth.users.addAccount({
      id: 'acc-gone',
      username: 'gone',
      password: 'correct horse',
      role: 'consumer',
      status: 'deactivated',
    });
  });

  after(async () => {
    await auth.stop();
  });

  const login = (username: string, password: string, as: 'frontend' | 'ms-orders' = 'frontend') =>
    postForm(tokenUrl, { grant_type: 'password', username, password }, { as });

  it('issues an ES256 access token that verifies against the JWKS, and a refresh token', async () => {
    const response = await login('sally', 'correct horse');
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('pragma'), 'no-cache');
    assert.equal(field(response, 'token_type'), 'Bearer');
    assert.equal(field(response, 'expires_in'), 300);
    assert.equal(field(response, 'scope'), '');
    assert.match(stringField(response, 'refresh_token'), /^[A-Za-z0-9_-]{43}$/);

    const accessToken = stringField(response, 'access_token');
    const decoded = jwt.decode(accessToken, { complete: true });
    assert.ok(decoded && typeof decoded.payload === 'object');
    assert.deepEqual(decoded.header, { alg: 'ES256', typ: 'at+jwt', kid: auth.keyRing.activeKey().kid });
    assert.equal(decoded.payload['client_id'], 'frontend');
    assert.equal(typeof decoded.payload.jti, 'string');
    assert.equal(decoded.payload.nbf, decoded.payload.iat);
    assert.equal(Number(decoded.payload.exp) - Number(decoded.payload.iat), 300);

    const verifier = new JwksVerifier({
      jwksUrl: `${auth.url}/.well-known/jwks.json`,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const principal = await verifier.verify(accessToken);
    assert.equal(principal.subject, 'acc-seller-1');
    assert.equal(principal.role, 'seller');
    assert.equal(principal.kind, 'user');
    assert.equal(principal.clientId, 'frontend');
  });

  it('called ms-users with its own ES256 service token carrying users:verify_credentials', () => {
    const call = auth.users.calls.find(
      (candidate) => candidate.path === '/internal/users/verify-credentials',
    );
    assert.ok(call, 'ms-users was not called');
    assert.equal(call.principal.subject, 'ms-auth');
    assert.equal(call.principal.clientId, 'ms-auth');
    assert.equal(call.principal.kind, 'service');
    assert.deepEqual([...call.principal.scopes].sort(), ['users:read', 'users:verify_credentials']);
    assert.deepEqual(auth.users.refusedTokens, []);
  });

  it('answers a wrong password and an unknown user with byte-identical invalid_grant', async () => {
    const wrongPassword = await login('sally', 'wrong horse');
    const unknownUser = await login('nobody', 'correct horse');
    assert.equal(wrongPassword.status, 400);
    assert.equal(unknownUser.status, 400);
    assert.equal(wrongPassword.text, unknownUser.text);
    assert.equal(field(wrongPassword, 'error'), 'invalid_grant');
    assert.equal(wrongPassword.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(wrongPassword.headers.get('cache-control'), 'no-store');
  });

  it('refuses a deactivated account like a wrong password', async () => {
    const deactivated = await login('gone', 'correct horse');
    const wrongPassword = await login('sally', 'wrong horse');
    assert.equal(deactivated.status, 400);
    assert.equal(deactivated.text, wrongPassword.text);
  });

  it('passes ms-users throttling through as 429 with its Retry-After', async () => {
    auth.users.throttled.set('sally', 42);
    try {
      const response = await login('sally', 'correct horse');
      assert.equal(response.status, 429);
      assert.equal(response.headers.get('retry-after'), '42');
      assert.equal(field(response, 'error'), 'invalid_grant');
      assert.match(String(field(response, 'error_description')), /too many failed attempts/i);
    } finally {
      auth.users.throttled.delete('sally');
    }
  });

  it('keeps the password grant to the frontend client', async () => {
    const response = await login('sally', 'correct horse', 'ms-orders');
    assert.equal(response.status, 400);
    assert.equal(field(response, 'error'), 'unauthorized_client');
  });

  it('refuses any scope for user tokens', async () => {
    const response = await postForm(
      tokenUrl,
      { grant_type: 'password', username: 'sally', password: 'correct horse', scope: 'stock:reserve' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 400);
    assert.equal(field(response, 'error'), 'invalid_scope');
  });

  it('requires username and password, naming the missing one', async () => {
    const response = await postForm(
      tokenUrl,
      { grant_type: 'password', username: 'sally' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 400);
    assert.equal(field(response, 'error'), 'invalid_request');
    assert.match(String(field(response, 'error_description')), /password/);
  });

  it('answers 503 temporarily_unavailable when ms-users cannot be reached', async () => {
    const variant = await auth.startVariant({ USERS_URL: `http://127.0.0.1:${await freePort()}` });
    const response = await postForm(
      `${variant.url}/api/auth/token`,
      { grant_type: 'password', username: 'sally', password: 'correct horse' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 503);
    assert.deepEqual(Object.keys(response.body ?? {}).sort(), ['error', 'error_description']);
    assert.equal(field(response, 'error'), 'temporarily_unavailable');
  });
});
