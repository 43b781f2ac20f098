import assert from 'node:assert/strict';
import { httpRequest } from '@marketshare/platform/testing';
import { startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import { basicFor, field, postForm } from '../support/oauth-client.js';

describe('ms-auth bad input', () => {
  let auth: AuthHarness;
  let baseline: Record<string, number>;
  const endpoints = ['/api/auth/token', '/api/auth/introspect', '/api/auth/revoke'];

  before(async () => {
    auth = await startAuthHarness('ms_auth_bad_input');
    auth.users.addAccount({
      id: 'acc-9',
      username: 'bob',
      password: 'correct horse',
      role: 'consumer',
      status: 'active',
    });
    const signIn = await postForm(
      `${auth.url}/api/auth/token`,
      { grant_type: 'password', username: 'bob', password: 'correct horse' },
      { as: 'frontend' },
    );
    assert.equal(signIn.status, 200);
    baseline = await auth.rowCounts();
  });

  afterEach(async () => {
    assert.deepEqual(await auth.rowCounts(), baseline, 'a refused request changed the database');
  });

  after(async () => {
    await auth.stop();
  });

  const token = (form: Record<string, string>) =>
    postForm(`${auth.url}/api/auth/token`, form, { as: 'frontend' });

  it('refuses a missing grant_type, naming it', async () => {
    const response = await token({ username: 'bob', password: 'correct horse' });
    assert.equal(response.status, 400);
    assert.equal(field(response, 'error'), 'invalid_request');
    assert.match(String(field(response, 'error_description')), /grant_type/);
  });

  it('refuses an empty grant_type as missing', async () => {
    const response = await token({ grant_type: '' });
    assert.equal(field(response, 'error'), 'invalid_request');
  });

  it('refuses unsupported grant types', async () => {
    for (const grantType of [
      'authorization_code',
      'implicit',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'x',
    ]) {
      const response = await token({ grant_type: grantType });
      assert.equal(response.status, 400, grantType);
      assert.equal(field(response, 'error'), 'unsupported_grant_type', grantType);
    }
  });

  it('refuses a refresh without refresh_token', async () => {
    const response = await token({ grant_type: 'refresh_token' });
    assert.equal(response.status, 400);
    assert.equal(field(response, 'error'), 'invalid_request');
    assert.match(String(field(response, 'error_description')), /refresh_token/);
  });

  it('refuses repeated parameters on every endpoint', async () => {
    for (const endpoint of endpoints) {
      const response = await httpRequest(`${auth.url}${endpoint}`, {
        method: 'POST',
        headers: { authorization: basicFor('frontend'), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&token=a&token=b&grant_type=password&username=bob&password=x',
      });
      assert.equal(response.status, 400, endpoint);
      assert.equal(field(response, 'error'), 'invalid_request', endpoint);
      assert.match(String(field(response, 'error_description')), /repeated/, endpoint);
    }
  });

  it('refuses over-long parameters, naming them', async () => {
    const response = await token({ grant_type: 'password', username: 'b'.repeat(400), password: 'x' });
    assert.equal(response.status, 400);
    assert.equal(field(response, 'error'), 'invalid_request');
    assert.match(String(field(response, 'error_description')), /username/);
  });

  it('answers 415 to bodies that are not form-encoded, on every endpoint', async () => {
    for (const endpoint of endpoints) {
      const response = await httpRequest(`${auth.url}${endpoint}`, {
        headers: { authorization: basicFor('frontend') },
        json: { grant_type: 'client_credentials', token: 'x' },
      });
      assert.equal(response.status, 415, endpoint);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(field(response, 'error'), 'invalid_request', endpoint);
      assert.equal(response.headers.get('cache-control'), 'no-store', endpoint);
    }
  });

  it('answers 413 to huge bodies, on every endpoint', async () => {
    for (const endpoint of endpoints) {
      const response = await postForm(
        `${auth.url}${endpoint}`,
        { grant_type: 'password', token: 'x'.repeat(100_000) },
        { as: 'frontend' },
      );
      assert.equal(response.status, 413, endpoint);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(field(response, 'error'), 'invalid_request', endpoint);
    }
  });

  it('refuses introspection and revocation without a token', async () => {
    for (const endpoint of ['/api/auth/introspect', '/api/auth/revoke']) {
      const response = await postForm(
        `${auth.url}${endpoint}`,
        { token_type_hint: 'access_token' },
        { as: 'frontend' },
      );
      assert.equal(response.status, 400, endpoint);
      assert.equal(field(response, 'error'), 'invalid_request', endpoint);
      assert.match(String(field(response, 'error_description')), /token/, endpoint);
    }
  });

  it('answers 405 to other methods and 404 to unknown paths', async () => {
    const get = await httpRequest(`${auth.url}/api/auth/token`);
    assert.equal(get.status, 405);
    const post = await httpRequest(`${auth.url}/.well-known/jwks.json`, { method: 'POST', body: 'x=1' });
    assert.equal(post.status, 405);
    const unknown = await httpRequest(`${auth.url}/api/auth/authorize`);
    assert.equal(unknown.status, 404);
  });

  // Found by the fuzzer (e2e/fuzz.test.ts): the router's 405 on an OAuth endpoint was problem+json.
  it('answers another method on an OAuth endpoint in RFC 6749 form (405, invalid_request)', async () => {
    const attempts: [method: string, endpoint: string][] = [
      ['GET', '/api/auth/token'],
      ['GET', '/api/auth/revoke'],
      ['DELETE', '/api/auth/introspect'],
    ];
    for (const [method, endpoint] of attempts) {
      const response = await httpRequest(`${auth.url}${endpoint}`, { method });
      assert.equal(response.status, 405, `${method} ${endpoint}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(field(response, 'error'), 'invalid_request', `${method} ${endpoint}`);
      assert.equal(typeof field(response, 'error_description'), 'string');
      assert.equal(response.headers.get('cache-control'), 'no-store');
    }
  });

  it('rate-limits the token endpoint per client address', async () => {
    const limited = await auth.startVariant({ TOKEN_RATE_LIMIT_PER_IP_PER_MINUTE: '2' });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await postForm(
        `${limited.url}/api/auth/token`,
        { grant_type: 'x' },
        { as: 'frontend' },
      );
      statuses.push(response.status);
      if (response.status === 429) assert.ok(Number(response.headers.get('retry-after')) >= 1);
    }
    assert.deepEqual(statuses, [400, 400, 429]);
  });

  it('rate-limits the token endpoint per client', async () => {
    const limited = await auth.startVariant({ TOKEN_RATE_LIMIT_PER_CLIENT_PER_MINUTE: '1' });
    const first = await postForm(
      `${limited.url}/api/auth/token`,
      { grant_type: 'client_credentials' },
      { as: 'ms-email' },
    );
    const second = await postForm(
      `${limited.url}/api/auth/token`,
      { grant_type: 'client_credentials' },
      { as: 'ms-email' },
    );
    const other = await postForm(
      `${limited.url}/api/auth/token`,
      { grant_type: 'client_credentials' },
      { as: 'ms-users' },
    );
    assert.deepEqual([first.status, second.status, other.status], [200, 429, 200]);
  });
});
