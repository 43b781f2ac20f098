/**
 * Requests Node's HTTP parser refuses before Koa sees them get a problem+json answer, not a
 * bare status line. Found by the fuzzer (e2e/fuzz.test.ts): `If-Match: *\f` through the gateway
 * came back as a 400 with no body.
 */
import assert from 'node:assert/strict';
import Koa from 'koa';
import { listen, type ListeningServer } from '../src/server.js';
import { exchange, jsonOf, type Outcome } from '../src/testing/raw-http.js';

function problemOf(outcome: Outcome): { status: number; type: string; body: unknown } {
  assert.equal(outcome.kind, 'response');
  if (outcome.kind !== 'response') throw new Error('no answer');
  return {
    status: outcome.response.status,
    type: outcome.response.headers['content-type'] ?? '',
    body: jsonOf(outcome.response),
  };
}

describe('requests the HTTP parser refuses', () => {
  let server: ListeningServer;

  before(async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.body = { ok: true };
    });
    server = await listen(app, '127.0.0.1', 0);
  });

  after(() => server.close());

  it('answers a control character in a header value with a 400 problem', async () => {
    const answer = problemOf(
      await exchange(server.port, {
        method: 'PATCH',
        target: '/x',
        headers: { 'if-match': '*\f' },
        body: '{}',
      }),
    );
    assert.equal(answer.status, 400);
    assert.match(answer.type, /^application\/problem\+json/);
    assert.deepEqual(answer.body, {
      type: 'urn:marketshare:problem:bad_request',
      status: 400,
      title: 'Bad Request',
      code: 'bad_request',
      detail: 'The request is not valid HTTP.',
    });
  });

  it('answers a head over the parser limit with a 431 problem', async () => {
    const answer = problemOf(
      await exchange(server.port, {
        method: 'GET',
        target: '/x',
        headers: { 'x-filler': 'x'.repeat(20_000) },
      }),
    );
    assert.equal(answer.status, 431);
    assert.match(answer.type, /^application\/problem\+json/);
    assert.equal(Reflect.get(Object(answer.body), 'code'), 'headers_too_large');
  });

  it('still serves well-formed requests', async () => {
    const answer = problemOf(await exchange(server.port, { method: 'GET', target: '/x' }));
    assert.equal(answer.status, 200);
  });
});
