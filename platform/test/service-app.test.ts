import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { createLogger } from '../src/logger.js';
import { createServiceMetrics } from '../src/http/metrics.js';
import { createServiceApp } from '../src/http/service-app.js';
import { defineRoute } from '../src/http/route.js';
import { JwksVerifier } from '../src/auth/jwks-verifier.js';
import type { ListeningServer } from '../src/server.js';
import { TestTokenIssuer } from '../src/testing/token-issuer.js';
import { httpRequest, serveForTest } from '../src/testing/http.js';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function forge(header: object, payload: object, signature = ''): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${signature}`;
}

describe('platform service app', () => {
  const issuer = new TestTokenIssuer();
  let server: ListeningServer;
  let ready = true;
  const created: unknown[] = [];

  before(async () => {
    await issuer.start();
    const verifier = new JwksVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
      minRefetchIntervalMs: 0,
    });
    const routes = [
      defineRoute({
        method: 'post',
        path: '/api/widgets/:shelf',
        operationId: 'createWidget',
        summary: 'Create a widget',
        auth: { roles: ['seller'] },
        params: Type.Object({ shelf: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 50 }), count: Type.Integer({ minimum: 0 }) },
          { additionalProperties: false },
        ),
        responses: { 201: { description: 'created' } },
        handler: async ({ body, params, principal }) => {
          created.push(body);
          return { status: 201, body: { ...body, shelf: params.shelf, owner: principal?.subject } };
        },
      }),
      defineRoute({
        method: 'get',
        path: '/api/widgets/internal-report',
        operationId: 'report',
        summary: 'Needs a scope',
        auth: { scopes: ['widgets:report'] },
        responses: { 200: { description: 'ok' } },
        handler: async () => ({ body: { ok: true } }),
      }),
      defineRoute({
        method: 'get',
        path: '/api/widgets/boom',
        operationId: 'boom',
        summary: 'Fails',
        auth: 'public',
        responses: { 200: { description: 'never' } },
        handler: async () => {
          throw new Error('database password is hunter2');
        },
      }),
    ];
    const app = createServiceApp({
      apiName: 'widgets',
      title: 'Widgets',
      logger: createLogger({ service: 'widgets', level: 'silent' }),
      metrics: createServiceMetrics('widgets', { defaultMetrics: false }),
      routes,
      verifier,
      readiness: { database: async () => (ready ? undefined : Promise.reject(new Error('down'))) },
      bodyLimitBytes: 2048,
    });
    server = await serveForTest(app);
  });

  after(async () => {
    await server.close();
    await issuer.stop();
  });

  const post = (path: string, token: string | undefined, json: unknown) =>
    httpRequest(`${server.url}${path}`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      json,
    });

  it('runs the chain for a valid request', async () => {
    const response = await post('/api/widgets/3', issuer.userToken('u1', 'seller'), { name: 'a', count: 1 });
    assert.equal(response.status, 201);
    assert.deepEqual(response.body, { name: 'a', count: 1, shelf: 3, owner: 'u1' });
    assert.ok(response.headers.get('x-request-id'));
  });

  describe('rejects bad tokens with 401 and WWW-Authenticate', () => {
    const body = { name: 'a', count: 1 };
    const cases: Record<string, () => string | undefined> = {
      'no token': () => undefined,
      expired: () => issuer.sign({ sub: 'u1', role: 'seller' }, { expiresInSeconds: -60 }),
      'wrong audience': () => issuer.sign({ sub: 'u1', role: 'seller' }, { audience: 'someone-else' }),
      'wrong issuer': () => issuer.sign({ sub: 'u1', role: 'seller' }, { issuer: 'http://evil.example' }),
      'alg none': () =>
        forge(
          { alg: 'none', typ: 'at+jwt', kid: issuer.kid },
          { sub: 'u1', role: 'seller', iss: issuer.issuer, aud: issuer.audience, exp: 9e9 },
        ),
      'HS256 signed with the public key': () => {
        const pem = issuer.publicKey.export({ format: 'pem', type: 'spki' });
        const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: issuer.kid }));
        const payload = base64url(
          JSON.stringify({
            sub: 'u1',
            role: 'seller',
            client_id: 'x',
            iss: issuer.issuer,
            aud: issuer.audience,
            exp: 9e9,
          }),
        );
        const signature = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
        return `${header}.${payload}.${signature}`;
      },
      'altered payload': () => {
        const [header, , signature] = issuer.userToken('u1', 'consumer').split('.');
        const payload = base64url(
          JSON.stringify({
            sub: 'u1',
            role: 'seller',
            client_id: 'frontend',
            iss: issuer.issuer,
            aud: issuer.audience,
            exp: 9e9,
          }),
        );
        return `${header}.${payload}.${signature}`;
      },
      'unknown kid': () => issuer.sign({ sub: 'u1', role: 'seller' }, { kid: 'not-a-known-key' }),
      'not an access token (no typ)': () => {
        const [, payload, signature] = issuer.userToken('u1', 'seller').split('.');
        return `${base64url(JSON.stringify({ alg: 'ES256', kid: issuer.kid }))}.${payload}.${signature}`;
      },
      garbage: () => 'not.a.jwt',
    };
    for (const [name, makeToken] of Object.entries(cases)) {
      it(name, async () => {
        const before = created.length;
        const response = await post('/api/widgets/3', makeToken(), body);
        assert.equal(response.status, 401);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="marketshare"/);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(created.length, before);
      });
    }
  });

  it('answers 403 for the wrong role and for a missing scope', async () => {
    const wrongRole = await post('/api/widgets/3', issuer.userToken('u2', 'consumer'), {
      name: 'a',
      count: 1,
    });
    assert.equal(wrongRole.status, 403);
    const noScope = await httpRequest(`${server.url}/api/widgets/internal-report`, {
      headers: { authorization: `Bearer ${issuer.serviceToken('ms-x', 'other')}` },
    });
    assert.equal(noScope.status, 403);
    assert.deepEqual((noScope.body as { code: string }).code, 'insufficient_scope');
    assert.match(noScope.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    const withScope = await httpRequest(`${server.url}/api/widgets/internal-report`, {
      headers: { authorization: `Bearer ${issuer.serviceToken('ms-x', 'widgets:report')}` },
    });
    assert.equal(withScope.status, 200);
  });

  it('names every invalid field in a problem+json body', async () => {
    const before = created.length;
    const response = await post('/api/widgets/0', issuer.userToken('u1', 'seller'), {
      count: -1,
      colour: 'red',
    });
    assert.equal(response.status, 400);
    const body = response.body as { code: string; errors: { field: string }[] };
    assert.equal(body.code, 'validation_failed');
    assert.deepEqual(body.errors.map((e) => e.field).sort(), ['colour', 'count', 'name', 'params.shelf']);
    assert.equal(created.length, before);
  });

  it('refuses malformed JSON, oversized bodies and other media types', async () => {
    const token = issuer.userToken('u1', 'seller');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const malformed = await httpRequest(`${server.url}/api/widgets/1`, {
      method: 'POST',
      headers,
      body: '{"name":',
    });
    assert.equal(malformed.status, 400);
    assert.equal((malformed.body as { code: string }).code, 'malformed_body');
    const huge = await post('/api/widgets/1', token, { name: 'x'.repeat(5000), count: 1 });
    assert.equal(huge.status, 413);
    assert.equal((huge.body as { code: string }).code, 'payload_too_large');
    const text = await httpRequest(`${server.url}/api/widgets/1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(text.status, 415);
  });

  it('hides the details of server errors', async () => {
    const response = await httpRequest(`${server.url}/api/widgets/boom`);
    assert.equal(response.status, 500);
    assert.equal((response.body as { code: string }).code, 'internal_error');
    assert.doesNotMatch(response.text, /hunter2/);
  });

  it('answers unknown paths and methods with problems', async () => {
    const missing = await httpRequest(`${server.url}/api/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal((missing.body as { code: string }).code, 'not_found');
    const wrongMethod = await httpRequest(`${server.url}/api/widgets/boom`, { method: 'DELETE' });
    assert.equal(wrongMethod.status, 405);
  });

  it('labels request durations by route template', async () => {
    const metrics = await httpRequest(`${server.url}/metrics`);
    assert.match(
      metrics.text,
      /http_server_request_duration_seconds_bucket\{[^}]*route="\/api\/widgets\/:shelf"/,
    );
    assert.doesNotMatch(metrics.text, /route="\/api\/widgets\/3"/);
  });

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const response = await httpRequest(`${server.url}/api/widgets/openapi.json`);
    assert.equal(response.status, 200);
    const doc = response.body as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/widgets/{shelf}']?.['post']?.requestBody);
  });

  it('reports liveness and readiness', async () => {
    assert.equal((await httpRequest(`${server.url}/healthz`)).status, 200);
    assert.equal((await httpRequest(`${server.url}/readyz`)).status, 200);
    ready = false;
    const notReady = await httpRequest(`${server.url}/readyz`);
    ready = true;
    assert.equal(notReady.status, 503);
    assert.deepEqual((notReady.body as { checks: unknown }).checks, { database: 'down' });
  });
});
