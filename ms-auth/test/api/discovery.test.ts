import assert from 'node:assert/strict';
import { JwksVerifier } from '@marketshare/platform';
import { httpRequest } from '@marketshare/platform/testing';
import { AUDIENCE, ISSUER, startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import { field } from '../support/oauth-client.js';

describe('ms-auth discovery, health and metrics', () => {
  let auth: AuthHarness;

  before(async () => {
    auth = await startAuthHarness('ms_auth_discovery');
  });

  after(async () => {
    await auth.stop();
  });

  it('publishes the signing keys as a cacheable JWKS', async () => {
    const response = await httpRequest(`${auth.url}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    const keys = field(response, 'keys');
    assert.ok(Array.isArray(keys) && keys.length === 1);
    const [key] = keys;
    assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.equal(Reflect.get(key, 'kid'), auth.keyRing.activeKey().kid);
    assert.equal(Reflect.get(key, 'alg'), 'ES256');
    assert.equal(Reflect.get(key, 'use'), 'sig');
    assert.equal(Reflect.get(key, 'kty'), 'EC');
    assert.equal(Reflect.get(key, 'crv'), 'P-256');
    assert.ok(!('d' in key), 'the private part must never be published');
  });

  it('serves RFC 8414 metadata built from the issuer', async () => {
    const response = await httpRequest(`${auth.url}/.well-known/oauth-authorization-server`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/api/auth/token`,
      introspection_endpoint: `${ISSUER}/api/auth/introspect`,
      revocation_endpoint: `${ISSUER}/api/auth/revoke`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      grant_types_supported: ['password', 'refresh_token', 'client_credentials'],
      response_types_supported: [],
      scopes_supported: ['stock:reserve', 'users:read', 'users:verify_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
  });

  it('lets verifiers keep using cached keys while ms-auth is unreachable', async () => {
    const instance = await auth.startVariant({});
    const verifier = new JwksVerifier({
      jwksUrl: `${instance.url}/.well-known/jwks.json`,
      issuer: ISSUER,
      audience: AUDIENCE,
      cacheTtlMs: 0,
    });
    const token = auth.signer.issue({ subject: 'ms-orders', clientId: 'ms-orders', scopes: [] }).token;
    assert.equal((await verifier.verify(token)).subject, 'ms-orders');
    await instance.close();
    assert.equal((await verifier.verify(token)).subject, 'ms-orders');
  });

  it('is ready with MySQL reachable and a signing key loaded', async () => {
    const response = await httpRequest(`${auth.url}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(field(response, 'checks'), { mysql: 'ok', signing_key: 'ok' });
  });

  it('documents its API in OpenAPI, form bodies included', async () => {
    const response = await httpRequest(`${auth.url}/api/auth/openapi.json`);
    assert.equal(response.status, 200);
    const paths = field(response, 'paths');
    assert.ok(typeof paths === 'object' && paths !== null);
    for (const path of [
      '/api/auth/token',
      '/api/auth/introspect',
      '/api/auth/revoke',
      '/.well-known/jwks.json',
    ]) {
      assert.ok(path in paths, path);
    }
    assert.match(response.text, /application\/x-www-form-urlencoded/);
  });

  it('documents 413 and 415 of the OAuth endpoints as RFC 6749 error bodies', async () => {
    const response = await httpRequest(`${auth.url}/api/auth/openapi.json`);
    const paths = field(response, 'paths');
    for (const path of ['/api/auth/token', '/api/auth/introspect', '/api/auth/revoke']) {
      for (const status of ['413', '415']) {
        const declared = Reflect.get(Reflect.get(Reflect.get(paths as object, path), 'post'), 'responses');
        const schema = Reflect.get(Reflect.get(Reflect.get(declared, status), 'content'), 'application/json');
        assert.deepEqual(
          Object.keys(Reflect.get(Reflect.get(schema, 'schema'), 'properties')),
          ['error', 'error_description'],
          `${path} ${status}`,
        );
      }
    }
  });

  it('exposes the auth counters from the start', async () => {
    const response = await httpRequest(`${auth.url}/metrics`);
    // OpenMetrics names a counter's family without its _total suffix; the samples keep it.
    assert.match(response.text, /# TYPE auth_tokens_issued counter/);
    assert.match(response.text, /# TYPE auth_token_errors counter/);
    assert.match(response.text, /auth_refresh_reuse_detected_total\{service="ms-auth"\} 0/);
  });
});
