import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { createLogger } from '../src/logger.js';
import { createServiceMetrics } from '../src/http/metrics.js';
import { createServiceApp } from '../src/http/service-app.js';
import { defineRoute } from '../src/http/route.js';
import type { ListeningServer } from '../src/server.js';
import { serveForTest } from '../src/testing/http.js';
import { RawConnection, requestBytes, type RequestSpec } from '../src/testing/raw-http.js';

const LIMIT = 1024;
const json = { 'content-type': 'application/json' };

/** Sends a request, reads the answer, then asks for /healthz on the same connection. */
async function thenHealthz(server: ListeningServer, spec: RequestSpec) {
  const connection = await RawConnection.open(server.port);
  try {
    await connection.write(requestBytes(spec));
    const first = await connection.next(5_000);
    await connection.write(requestBytes({ method: 'GET', target: '/healthz' }));
    const second = await connection.next(2_000);
    return { first, second };
  } finally {
    connection.destroy();
  }
}

describe('platform request bodies', () => {
  let server: ListeningServer;
  const stored: unknown[] = [];

  before(async () => {
    const app = createServiceApp({
      apiName: 'notes',
      title: 'Notes',
      logger: createLogger({ service: 'notes', level: 'silent' }),
      metrics: createServiceMetrics('notes', { defaultMetrics: false }),
      verifier: undefined,
      readiness: {},
      bodyLimitBytes: LIMIT,
      routes: [
        defineRoute({
          method: 'post',
          path: '/api/notes',
          operationId: 'createNote',
          summary: 'Create',
          auth: 'public',
          body: Type.Object(
            {
              text: Type.String(),
              tags: Type.Optional(Type.Array(Type.Unknown())),
              count: Type.Optional(Type.Integer()),
            },
            { additionalProperties: false },
          ),
          responses: { 201: { description: 'created' } },
          handler: async ({ body }) => {
            stored.push(body);
            return { status: 201, body };
          },
        }),
        defineRoute({
          method: 'post',
          path: '/api/notes/form',
          operationId: 'createFormNote',
          summary: 'Create from a form',
          auth: 'public',
          bodyFormat: 'form',
          body: Type.Object({ text: Type.String() }, { additionalProperties: false }),
          responses: { 201: { description: 'created' } },
          handler: async ({ body }) => {
            stored.push(body);
            return { status: 201, body };
          },
        }),
        defineRoute({
          method: 'get',
          path: '/api/notes',
          operationId: 'listNotes',
          summary: 'List',
          auth: 'public',
          query: Type.Object(
            {
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
              above: Type.Optional(Type.Integer({ minimum: 0 })),
              score: Type.Optional(Type.Number()),
              q: Type.Optional(Type.String()),
            },
            { additionalProperties: false },
          ),
          responses: { 200: { description: 'ok' } },
          handler: async ({ query }) => ({ body: { query } }),
        }),
      ],
    });
    server = await serveForTest(app);
  });

  after(() => server.close());
  beforeEach(() => {
    stored.length = 0;
  });

  it('drains a chunked body over the limit: 413, and the next request on the connection is answered', async () => {
    const { first, second } = await thenHealthz(server, {
      method: 'POST',
      target: '/api/notes',
      headers: json,
      body: 'x'.repeat(LIMIT * 512),
      chunkBytes: 512,
    });
    assert.equal(first.kind === 'response' && first.response.status, 413);
    assert.equal(second.kind === 'response' && second.response.status, 200);
    assert.equal(stored.length, 0);
  });

  it('drains a fixed-length body over the limit the same way', async () => {
    const size = LIMIT * 512;
    const { first, second } = await thenHealthz(server, {
      method: 'POST',
      target: '/api/notes',
      headers: json,
      body: 'x'.repeat(size),
    });
    assert.equal(first.kind === 'response' && first.response.status, 413);
    assert.equal(second.kind === 'response' && second.response.status, 200);
  });

  it('drains a body a route refuses before reading it (wrong type) and one a GET never reads', async () => {
    const refused = await thenHealthz(server, {
      method: 'POST',
      target: '/api/notes',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(LIMIT / 2),
    });
    assert.equal(refused.first.kind === 'response' && refused.first.response.status, 415);
    assert.equal(refused.second.kind === 'response' && refused.second.response.status, 200);
    const ignored = await thenHealthz(server, {
      method: 'GET',
      target: '/api/notes',
      body: 'x'.repeat(LIMIT * 4),
      chunkBytes: 512,
    });
    assert.equal(ignored.first.kind === 'response' && ignored.first.response.status, 200);
    assert.equal(ignored.second.kind === 'response' && ignored.second.response.status, 200);
  });

  it('closes the connection of a body past the discard bound instead of reading it forever', async () => {
    const connection = await RawConnection.open(server.port);
    try {
      const head = requestBytes({ method: 'POST', target: '/api/notes', headers: json, chunkBytes: 1 });
      // The head without its terminating empty chunk: the body goes on as long as we send.
      await connection.write(head.subarray(0, head.length - '0\r\n\r\n'.length));
      const chunk = `4000\r\n${'y'.repeat(0x4000)}\r\n`;
      for (let sent = 0; sent < 16 * 1024 * 1024 && !connection.isClosed; sent += 0x4000) {
        await connection.write(chunk);
      }
      const first = await connection.next(5_000);
      const outcome = first.kind === 'response' ? await connection.next(5_000) : first;
      if (first.kind === 'response') assert.equal(first.response.status, 413);
      assert.equal(outcome.kind, 'closed');
    } finally {
      connection.destroy();
    }
  });

  it('refuses invalid UTF-8, deep nesting and non-finite numbers in JSON bodies', async () => {
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"text":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const deep = `{"text":"a","tags":${'['.repeat(200)}${']'.repeat(200)}}`;
    for (const [body, code] of [
      [invalidUtf8, 'malformed_body'],
      [deep, 'malformed_body'],
      ['{"text":"a","count":1e309}', 'validation_failed'],
      ['{"text":"a","count":100000000000000000000}', 'validation_failed'],
    ] as const) {
      const { first } = await thenHealthz(server, {
        method: 'POST',
        target: '/api/notes',
        headers: json,
        body,
      });
      assert.ok(first.kind === 'response', `no answer to ${String(body).slice(0, 40)}`);
      assert.equal(first.response.status, 400);
      assert.equal(JSON.parse(first.response.body.toString()).code, code);
    }
    assert.equal(stored.length, 0);
  });

  it('refuses a form whose percent-encoding is not UTF-8, and takes __proto__ as a plain field', async () => {
    const send = async (body: string) =>
      (
        await thenHealthz(server, {
          method: 'POST',
          target: '/api/notes/form',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
      ).first;
    const invalid = await send('text=%FF');
    assert.ok(invalid.kind === 'response');
    assert.equal(invalid.response.status, 400);
    assert.equal(JSON.parse(invalid.response.body.toString()).errors[0].field, 'text');
    const proto = await send('text=a&__proto__=x');
    assert.ok(proto.kind === 'response');
    assert.equal(proto.response.status, 400);
    assert.equal(JSON.parse(proto.response.body.toString()).errors[0].field, '__proto__');
  });

  it('refuses non-finite, huge and loosely written numbers in the query, naming the parameter', async () => {
    const cases: [string, string][] = [
      ['limit=Infinity', 'query.limit'],
      ['limit=-Infinity', 'query.limit'],
      ['limit=NaN', 'query.limit'],
      ['above=1e309', 'query.above'],
      ['above=99999999999999999999', 'query.above'],
      ['score=Infinity', 'query.score'],
      ['limit=0x10', 'query.limit'],
      ['limit=%205', 'query.limit'],
      ['q=%FF', 'query.q'],
    ];
    for (const [query, field] of cases) {
      const { first } = await thenHealthz(server, { method: 'GET', target: `/api/notes?${query}` });
      assert.ok(first.kind === 'response', query);
      assert.equal(first.response.status, 400, query);
      const problem = JSON.parse(first.response.body.toString());
      assert.ok(
        problem.errors.some((error: { field: string }) => error.field === field),
        `${query}: ${first.response.body.toString()}`,
      );
    }
    const { first } = await thenHealthz(server, {
      method: 'GET',
      target: '/api/notes?limit=5&above=0&score=2.5',
    });
    assert.ok(first.kind === 'response');
    assert.deepEqual(JSON.parse(first.response.body.toString()), {
      query: { limit: 5, above: 0, score: 2.5 },
    });
  });
});
