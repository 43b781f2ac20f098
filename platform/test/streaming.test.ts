import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { createLogger } from '../src/logger.js';
import { createServiceMetrics } from '../src/http/metrics.js';
import { createServiceApp } from '../src/http/service-app.js';
import { defineRoute } from '../src/http/route.js';
import { Lifecycle, listen } from '../src/server.js';
import { httpRequest } from '../src/testing/http.js';

/** A response that never ends by itself: a tick every 20 ms until the server closes. */
const ticksRoute = defineRoute({
  method: 'get',
  path: '/api/ticks',
  operationId: 'ticks',
  summary: 'Streams ticks until the server closes',
  auth: 'public',
  responses: { 200: { description: 'ticks', contentType: 'text/plain' } },
  handler: async ({ closing }) => {
    let count = 0;
    const stream = new Readable({ read: () => undefined });
    const timer = setInterval(() => stream.push(`tick ${(count += 1)}\n`), 20);
    const end = () => {
      clearInterval(timer);
      stream.push('bye\n');
      stream.push(null);
    };
    closing.addEventListener('abort', end, { once: true });
    stream.once('close', () => {
      clearInterval(timer);
      closing.removeEventListener('abort', end);
    });
    stream.push('hello\n');
    return { headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: stream };
  },
});

function openStream(
  url: string,
): Promise<{ response: IncomingMessage; text: () => string; ended: Promise<'end' | 'aborted'> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      const ended = new Promise<'end' | 'aborted'>((settle) => {
        response.once('end', () => settle('end'));
        response.once('aborted', () => settle('aborted'));
        response.once('error', () => settle('aborted'));
      });
      resolve({ response, text: () => text, ended });
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('platform streamed responses', () => {
  it('records the request when the stream starts and ends open streams on close, so shutdown is prompt', async () => {
    const logger = createLogger({ service: 'streams', level: 'silent' });
    const metrics = createServiceMetrics('streams', { defaultMetrics: false });
    const app = createServiceApp({
      apiName: 'streams',
      title: 'Streams',
      logger,
      metrics,
      routes: [ticksRoute],
      verifier: undefined,
      readiness: {},
      bodyLimitBytes: 1024,
    });
    const server = await listen(app, '127.0.0.1', 0);
    // Long enough that a drain waiting on the stream would be reported unclean.
    const lifecycle = new Lifecycle(logger, 5_000);
    lifecycle.onStop('http server', () => server.close());

    const stream = await openStream(`${server.url}/api/ticks`);
    assert.equal(stream.response.statusCode, 200);
    assert.match(String(stream.response.headers['content-type']), /^text\/plain/);
    await until(() => stream.text().includes('tick 2'), 'two ticks');

    // While it is still streaming, the request is already counted once with its template and status.
    const exposition = (await httpRequest(`${server.url}/metrics`)).text;
    assert.match(
      exposition,
      /http_server_request_duration_seconds_count\{[^}]*route="\/api\/ticks"[^}]*status_code="200"[^}]*\} 1/,
    );

    assert.equal(await lifecycle.shutdown(), true, 'the drain did not wait for the stream');
    assert.equal(await stream.ended, 'end', 'the stream ended cleanly, not cut off');
    assert.match(stream.text(), /bye\n$/);
  });
});
