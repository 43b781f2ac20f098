import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AccessTokenClaims } from '../../src/domain/tokens/access-token-claims.js';
import { startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import { field, postForm, stringField } from '../support/oauth-client.js';

describe('ms-auth introspection and revocation', () => {
  let auth: AuthHarness;
  let introspectUrl: string;
  let revokeUrl: string;

  before(async () => {
    auth = await startAuthHarness('ms_auth_introspect');
    introspectUrl = `${auth.url}/api/auth/introspect`;
    revokeUrl = `${auth.url}/api/auth/revoke`;
    auth.users.addAccount({
      id: 'acc-7',
      username: 'vera',
      password: 'correct horse',
      role: 'consumer',
      status: 'active',
    });
  });

  after(async () => {
    await auth.stop();
  });

  async function signIn(): Promise<{ accessToken: string; refreshToken: string }> {
    const response = await postForm(
      `${auth.url}/api/auth/token`,
      { grant_type: 'password', username: 'vera', password: 'correct horse' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 200, response.text);
    return {
      accessToken: stringField(response, 'access_token'),
      refreshToken: stringField(response, 'refresh_token'),
    };
  }

  const introspect = (token: string, as: 'frontend' | 'ms-orders' = 'frontend') =>
    postForm(introspectUrl, { token }, { as });

  /** Claims as the signer would issue them now, to be broken one at a time. */
  function claims(overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: auth.config.AUTH_ISSUER,
      aud: auth.config.AUTH_AUDIENCE,
      sub: 'acc-7',
      client_id: 'frontend',
      scope: '',
      role: 'consumer',
      iat: now,
      nbf: now,
      exp: now + 300,
      jti: randomUUID(),
      ...overrides,
    };
  }

  it('describes an active access token (RFC 7662)', async () => {
    const { accessToken } = await signIn();
    const response = await introspect(accessToken, 'ms-orders');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(field(response, 'active'), true);
    assert.equal(field(response, 'token_type'), 'access_token');
    assert.equal(field(response, 'sub'), 'acc-7');
    assert.equal(field(response, 'client_id'), 'frontend');
    assert.equal(field(response, 'role'), 'consumer');
    assert.equal(field(response, 'scope'), '');
    assert.equal(field(response, 'iss'), auth.config.AUTH_ISSUER);
    assert.equal(field(response, 'aud'), auth.config.AUTH_AUDIENCE);
    assert.equal(typeof field(response, 'exp'), 'number');
    assert.equal(typeof field(response, 'iat'), 'number');
  });

  it('describes a live refresh token to its own client only', async () => {
    const { refreshToken } = await signIn();
    const own = await introspect(refreshToken);
    assert.equal(field(own, 'active'), true);
    assert.equal(field(own, 'token_type'), 'refresh_token');
    assert.equal(field(own, 'sub'), 'acc-7');
    const foreign = await introspect(refreshToken, 'ms-orders');
    assert.deepEqual(foreign.body, { active: false });
  });

  it('reports expired, foreign-audience, foreign-issuer, unsigned and garbage tokens as only {active:false}', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const tokens = [
      auth.signer.signClaims(claims({ iat: past - 300, nbf: past - 300, exp: past })),
      auth.signer.signClaims(claims({ aud: 'another-api' })),
      auth.signer.signClaims(claims({ iss: 'https://evil.example' })),
      `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`,
      'not-a-token-at-all',
    ];
    for (const token of tokens) {
      const response = await introspect(token);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { active: false }, token);
    }
  });

  it('requires client authentication', async () => {
    const { accessToken } = await signIn();
    const response = await postForm(introspectUrl, { token: accessToken });
    assert.equal(response.status, 401);
    assert.equal(field(response, 'error'), 'invalid_client');
    assert.equal(response.headers.get('www-authenticate'), 'Basic realm="marketshare"');
    const revoke = await postForm(revokeUrl, { token: accessToken });
    assert.equal(revoke.status, 401);
  });

  it('revokes an access token: introspection then says inactive', async () => {
    const { accessToken } = await signIn();
    const response = await postForm(
      revokeUrl,
      { token: accessToken, token_type_hint: 'access_token' },
      { as: 'frontend' },
    );
    assert.equal(response.status, 200);
    assert.deepEqual((await introspect(accessToken)).body, { active: false });
  });

  it('logs out: revoking a refresh token ends its family', async () => {
    const { refreshToken } = await signIn();
    const response = await postForm(revokeUrl, { token: refreshToken }, { as: 'frontend' });
    assert.equal(response.status, 200);
    assert.deepEqual((await introspect(refreshToken)).body, { active: false });
    const refresh = await postForm(
      `${auth.url}/api/auth/token`,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { as: 'frontend' },
    );
    assert.equal(refresh.status, 400);
    assert.equal(field(refresh, 'error'), 'invalid_grant');
  });

  it('ignores another client’s tokens and unknown tokens, answering 200', async () => {
    const { accessToken, refreshToken } = await signIn();
    const before = await auth.rowCounts();
    for (const token of [accessToken, refreshToken, 'unknown-token', 'a.b.c']) {
      const response = await postForm(revokeUrl, { token }, { as: 'ms-orders' });
      assert.equal(response.status, 200, token);
    }
    assert.deepEqual(await auth.rowCounts(), before);
    assert.equal(field(await introspect(accessToken), 'active'), true);
    assert.equal(field(await introspect(refreshToken), 'active'), true);
  });
});
