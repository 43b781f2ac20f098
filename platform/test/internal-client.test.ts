import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { startTelemetry } from '../src/telemetry.js';
import {
  ClientCredentialsTokenSource,
  InternalHttpClient,
  UpstreamUnavailableError,
} from '../src/internal-client.js';

interface Upstream {
  url: string;
  requests: IncomingMessage[];
  server: Server;
}

/** A plain HTTP peer that records what the client sent and answers per path. */
async function upstream(answer: (request: IncomingMessage, body: string) => [number, unknown, number?]) {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push(request);
      const [status, json, delayMs] = answer(request, body);
      setTimeout(() => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(json));
      }, delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // a listening TCP server has an AddressInfo
  return { url: `http://127.0.0.1:${port}`, requests, server } satisfies Upstream;
}

describe('platform internal HTTP client', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((server) => server.close()));

  it('fetches one client-credentials token for concurrent callers and caches it', async () => {
    let issued = 0;
    const auth = await upstream((request, body) => {
      const params = new URLSearchParams(body);
      const basic = Buffer.from(`ms-orders:s3cret`).toString('base64');
      if (
        request.headers.authorization !== `Basic ${basic}` ||
        params.get('grant_type') !== 'client_credentials'
      )
        return [401, { error: 'invalid_client' }];
      issued += 1;
      return [200, { access_token: `token-${issued}`, expires_in: 300, scope: params.get('scope') }, 50];
    });
    servers.push(auth.server);
    const tokens = new ClientCredentialsTokenSource({
      tokenUrl: `${auth.url}/api/auth/token`,
      clientId: 'ms-orders',
      clientSecret: 's3cret',
      scope: 'stock:reserve',
    });
    const got = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken()]);
    assert.deepEqual(got, ['token-1', 'token-1', 'token-1']);
    assert.equal(await tokens.getToken(), 'token-1');
    assert.equal(auth.requests.length, 1);
    tokens.invalidate();
    assert.equal(await tokens.getToken(), 'token-2');
  });

  it('sends the token and trace context, and retries once with a fresh token after a 401', async () => {
    startTelemetry('internal-client-test');
    let issued = 0;
    const tokens = {
      getToken: async () => `token-${issued}`,
      invalidate: () => {
        issued += 1;
      },
    };
    const service = await upstream((request) =>
      request.headers.authorization === 'Bearer token-1'
        ? [200, { ok: true }]
        : [401, { code: 'invalid_token' }],
    );
    servers.push(service.server);
    const client = new InternalHttpClient({ name: 'products', baseUrl: service.url, tokens });
    const span = trace.getTracer('test').startSpan('checkout');
    const response = await context.with(trace.setSpan(context.active(), span), () =>
      client.request('POST', '/internal/stock/reservations', { orderId: 'o1' }),
    );
    span.end();
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { ok: true });
    assert.equal(service.requests.length, 2);
    const traceparent = String(service.requests[1]?.headers.traceparent);
    assert.match(traceparent, new RegExp(`^00-${span.spanContext().traceId}-`));
  });

  it("leaves a caller's own traceparent alone when no span is active (the SDK running)", async () => {
    startTelemetry('internal-client-test');
    const peer = await upstream(() => [200, {}]);
    servers.push(peer.server);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await fetch(peer.url, { headers: { traceparent } });
    assert.equal(peer.requests[0]?.headers.traceparent, traceparent);
  });

  it('turns timeouts, refused connections and gateway errors into UpstreamUnavailableError', async () => {
    const slow = await upstream(() => [200, {}, 1_000]);
    const failing = await upstream(() => [503, {}]);
    servers.push(slow.server, failing.server);
    const timedOut = new InternalHttpClient({ name: 'slow', baseUrl: slow.url, timeoutMs: 100 });
    await assert.rejects(timedOut.request('GET', '/x'), UpstreamUnavailableError);
    const refused = new InternalHttpClient({ name: 'gone', baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 });
    await assert.rejects(refused.request('GET', '/x'), UpstreamUnavailableError);
    const unavailable = new InternalHttpClient({ name: 'failing', baseUrl: failing.url });
    await assert.rejects(unavailable.request('GET', '/x'), UpstreamUnavailableError);
  });

  /** A peer whose answer misbehaves after its headers; resolves each response's 'close'. */
  async function misbehaving(behave: (response: ServerResponse) => void) {
    const closed: Promise<void>[] = [];
    const server = createServer((request, response) => {
      request.resume();
      closed.push(new Promise((resolve) => response.once('close', () => resolve())));
      behave(response);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo; // a listening TCP server has an AddressInfo
    return { url: `http://127.0.0.1:${port}`, closed };
  }

  it('turns a body that stalls past the timeout or is cut off into UpstreamUnavailableError', async () => {
    const stalling = await misbehaving((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"items": [');
    });
    const cut = await misbehaving((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"items": [', () => response.socket?.destroy());
    });
    const slow = new InternalHttpClient({ name: 'stalling', baseUrl: stalling.url, timeoutMs: 200 });
    await assert.rejects(slow.request('GET', '/x'), UpstreamUnavailableError);
    const reset = new InternalHttpClient({ name: 'cut', baseUrl: cut.url, timeoutMs: 2_000 });
    await assert.rejects(reset.request('GET', '/x'), UpstreamUnavailableError);
  });

  it('lets go of the connection of a gateway error at once instead of leaving its body unread', async () => {
    const failing = await misbehaving((response) => {
      response.writeHead(503, { 'content-type': 'text/html' });
      // A large error page, still streaming: unread, it would hold the socket open.
      const timer = setInterval(() => response.write('x'.repeat(64 * 1024)), 10);
      response.once('close', () => clearInterval(timer));
    });
    const client = new InternalHttpClient({ name: 'failing', baseUrl: failing.url, timeoutMs: 5_000 });
    await assert.rejects(client.request('GET', '/x'), UpstreamUnavailableError);
    const released = await Promise.race([
      Promise.all(failing.closed).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 1_000)),
    ]);
    assert.equal(released, true, 'the client closed the connection of the unread answer');
  });
});
