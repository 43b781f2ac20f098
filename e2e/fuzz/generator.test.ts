/**
 * The fuzzer's own parts, without a stack: valid requests pass the validator the services use,
 * every mutation class is generated, a seed reproduces a run, and the oracles tell a good
 * answer from a 5xx, a bare 4xx or a leak.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Type, checkSchema } from '@marketshare/platform';
import type { Outcome } from '@marketshare/platform/testing';
import { JsonPairs, RawJson, toJsonText } from './json-text.js';
import { operationsOf } from './openapi-model.js';
import { leakIn, violation } from './oracles.js';
import { requestArbitrary } from './request-generator.js';
import { MUTATIONS, percentEncode, type FuzzRequest } from './request-model.js';

const PRODUCT = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'priceMinor', 'currency'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    priceMinor: { type: 'integer', minimum: 0, maximum: 100_000_000 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    sellerId: { type: 'string', format: 'uuid' },
    tags: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 20 } },
    website: { anyOf: [{ type: 'string', format: 'uri', pattern: '^https?://' }, { type: 'null' }] },
    attributes: { type: 'object', patternProperties: { '^(.*)$': { type: 'string', maxLength: 50 } } },
  },
};

const DOCUMENT = {
  openapi: '3.1.0',
  paths: {
    '/api/products/{id}': {
      get: {
        operationId: 'getProduct',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        security: [{}, { bearerAuth: [] }],
      },
      patch: {
        operationId: 'updateProduct',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { content: { 'application/json': { schema: PRODUCT } } },
        security: [{ bearerAuth: [] }],
      },
    },
    '/api/products': {
      get: {
        operationId: 'search',
        parameters: [
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: 100 },
          },
        ],
        security: [],
      },
    },
    '/api/auth/token': {
      post: {
        operationId: 'token',
        requestBody: {
          content: {
            'application/x-www-form-urlencoded': {
              schema: {
                type: 'object',
                required: ['grant_type'],
                properties: {
                  grant_type: { enum: ['password', 'refresh_token'] },
                  username: { type: 'string', maxLength: 64 },
                },
              },
            },
          },
        },
        security: [],
      },
    },
  },
};

const operations = operationsOf('ms-products', '/api/products/openapi.json', DOCUMENT);
const hints = { knownIds: ['7b0a4f8e-1d2c-4b3a-9e8f-0a1b2c3d4e5f'] };

describe('the fuzz request generator', () => {
  it('reads every operation of a document, and the document itself', () => {
    assert.deepEqual(
      operations.map((o) => `${o.method} ${o.path} ${o.auth}`),
      [
        'GET /api/products/openapi.json public',
        'GET /api/products/{id} optional',
        'PATCH /api/products/{id} bearer',
        'GET /api/products public',
        'POST /api/auth/token public',
      ],
    );
  });

  it('makes valid bodies that the services’ own validator accepts', () => {
    const valid = fc.sample(requestArbitrary(operations, { hints, validShare: 1 }), {
      seed: 7,
      numRuns: 400,
    });
    const patches = valid.filter((r) => r.method === 'PATCH' && typeof r.body === 'string');
    assert.ok(patches.length > 20, 'enough PATCH bodies were drawn');
    for (const request of patches) {
      const result = checkSchema(Type.Unsafe(PRODUCT), JSON.parse(String(request.body)), {});
      assert.ok(result.ok, `${String(request.body)}: ${JSON.stringify(result)}`);
    }
    assert.ok(
      valid.some((r) => r.target.includes(hints.knownIds[0] ?? '?')),
      'known ids are used',
    );
    assert.ok(
      valid
        .filter((r) => r.operation === 'POST /api/auth/token')
        .every((r) => r.headers['content-type'] === 'application/x-www-form-urlencoded'),
    );
  });

  it('generates every mutation class, reproducibly from a seed', () => {
    const arbitrary = requestArbitrary(operations, { hints, validShare: 0 });
    const draw = (seed: number) => fc.sample(arbitrary, { seed, numRuns: 1_500 });
    const seen = new Set(draw(11).map((request) => request.mutation));
    assert.deepEqual(
      [...MUTATIONS].filter((m) => m !== 'valid' && !seen.has(m)),
      [],
    );
    const fingerprint = (requests: FuzzRequest[]) =>
      requests.map((r) => `${r.method} ${r.target} ${String(r.body).length}`).join('\n');
    assert.equal(fingerprint(draw(11)), fingerprint(draw(11)));
    assert.notEqual(fingerprint(draw(11)), fingerprint(draw(12)));
  });

  it('writes JSON that JSON.stringify cannot: repeated keys, own __proto__, raw numbers', () => {
    const text = toJsonText(
      new JsonPairs([
        ['a', 1],
        ['a', new RawJson('1e309')],
        ['__proto__', { x: [null] }],
      ]),
    );
    assert.equal(text, '{"a":1,"a":1e309,"__proto__":{"x":[null]}}');
    assert.equal(percentEncode('a\uD800b😀'), 'a%ED%A0%80b%F0%9F%98%80');
  });
});

const answer = (status: number, contentType: string, body: string): Outcome => ({
  kind: 'response',
  response: { status, headers: { 'content-type': contentType }, body: Buffer.from(body), ms: 1 },
});

const request = (target: string): FuzzRequest => ({
  service: 'ms-products',
  operation: `GET ${target}`,
  mutation: 'valid',
  as: 'anonymous',
  method: 'GET',
  target,
  headers: {},
});

describe('the fuzz oracles', () => {
  const problem = JSON.stringify({ status: 400, code: 'validation_failed', instance: '/api/products' });

  it('accept a problem+json 4xx with a code, and RFC 6749 errors on the OAuth endpoints', () => {
    assert.equal(
      violation(request('/api/products'), answer(400, 'application/problem+json', problem)),
      undefined,
    );
    const oauth = JSON.stringify({ error: 'invalid_grant', error_description: 'Bad credentials.' });
    assert.equal(violation(request('/api/auth/token'), answer(400, 'application/json', oauth)), undefined);
    const gateway = JSON.stringify({ status: 429, code: 'too_many_requests' });
    assert.equal(
      violation(request('/api/auth/token'), answer(429, 'application/problem+json', gateway)),
      undefined,
    );
  });

  it('refuse a 5xx, a bare 4xx, a service problem on an OAuth endpoint, and no answer', () => {
    assert.match(violation(request('/x'), answer(500, 'application/problem+json', problem)) ?? '', /500/);
    assert.match(violation(request('/x'), answer(404, 'text/plain', 'Not Found')) ?? '', /problem/);
    assert.match(
      violation(request('/api/auth/revoke'), answer(400, 'application/problem+json', problem)) ?? '',
      /6749/,
    );
    assert.match(violation(request('/x'), { kind: 'timeout', ms: 5 }) ?? '', /no answer/);
  });

  it('take 501 for a method the router does not know, and HAProxy’s HTML 400 for a head over its buffer', () => {
    const unknownMethod = { ...request('/api/products'), method: 'PROPFIND' };
    const notImplemented = JSON.stringify({ status: 501, code: 'not_implemented' });
    assert.equal(
      violation(unknownMethod, answer(501, 'application/problem+json', notImplemented)),
      undefined,
    );
    assert.match(
      violation(request('/x'), answer(501, 'application/problem+json', notImplemented)) ?? '',
      /501/,
    );
    const html =
      '<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>';
    const huge = request(`/api/products/${'%F0%9F%98%80'.repeat(12_000)}`);
    assert.equal(violation(huge, answer(400, 'text/html', html)), undefined);
    assert.match(violation(request('/api/products/x'), answer(400, 'text/html', html)) ?? '', /problem/);
  });

  it('find stacks, paths, hashes and SQL, but not the fuzzer’s own injection strings', () => {
    assert.equal(
      leakIn('Error: boom\n    at handler (/work/main/ms-users/src/app.ts:10:5)'),
      'a stack frame',
    );
    assert.equal(leakIn('{"detail":"see /home/app/ms-users/dist/x.js"}'), 'a file path');
    assert.equal(leakIn('{"password":"$2b$12$abcdefghijklmnopqrstuv"}'), 'a bcrypt hash');
    assert.equal(leakIn('{"detail":"SELECT id FROM accounts WHERE x"}'), 'SQL text');
    assert.equal(leakIn('{"detail":"syntax error at or near \\"(\\""}'), 'a database error');
    assert.equal(
      leakIn(JSON.stringify({ name: "%' UNION SELECT password_hash FROM accounts --" })),
      undefined,
    );
    assert.equal(
      leakIn(JSON.stringify({ name: 'Flange DN50', description: 'Zinc-plated, from Hamburg.' })),
      undefined,
    );
  });
});
