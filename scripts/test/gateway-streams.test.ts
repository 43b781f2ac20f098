/** gateway/haproxy.cfg and long-lived responses: server-sent events through the gateway. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { freePorts, waitUntil } from '../stack/net.js';
import { startHaproxy, type RunningHaproxy } from './helpers.js';

describe('gateway (HAProxy): event streams', function () {
  this.timeout(30_000);
  let haproxy: RunningHaproxy | undefined;
  let stream: Server | undefined;
  let gatewayPort = 0;
  /** When the stand-in saw each stream's connection close, by path. */
  const closedAt = new Map<string, number>();

  before(async () => {
    const [gateway, stats, backend] = await freePorts(3);
    assert.ok(gateway !== undefined && stats !== undefined && backend !== undefined);
    gatewayPort = gateway;
    // A stream whose heartbeat (10 s) is far apart, as ms-orders' is (15 s).
    stream = createServer((request, response) => {
      if (request.url === '/healthz') {
        response.end('ok');
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      response.write('id: 1\nevent: status\ndata: {}\n\n');
      const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), 10_000);
      response.on('close', () => {
        clearInterval(heartbeat);
        closedAt.set(request.url ?? '', Date.now());
      });
    });
    await new Promise<void>((resolve) => stream?.listen(backend, '127.0.0.1', resolve));
    const addr = `127.0.0.1:${backend}`;
    haproxy = await startHaproxy(
      {
        GATEWAY_BIND: `127.0.0.1:${gateway}`,
        GATEWAY_STATS_BIND: `127.0.0.1:${stats}`,
        MS_AUTH_ADDR: addr,
        MS_USERS_ADDR: addr,
        MS_PRODUCTS_ADDR: addr,
        MS_ORDERS_ADDR: addr,
        FRONTEND_ADDR: addr,
      },
      [gateway, stats],
    );
    const routable = await waitUntil(async () => {
      const answer = await fetch(`http://127.0.0.1:${gateway}/api/orders/x`).catch(() => null);
      await answer?.body?.cancel();
      return answer?.status === 200;
    }, 15_000);
    assert.ok(routable, haproxy.output());
  });

  after(async () => {
    await haproxy?.stop();
    stream?.closeAllConnections();
    await new Promise((resolve) => stream?.close(resolve));
  });

  // ms-orders' own stream, and the site's relay of it (the frontend backend).
  for (const path of ['/api/orders/o-1/events', '/orders/o-1/events']) {
    it(`closes the server side of ${path} as soon as the client leaves`, async () => {
      const client = connect(gatewayPort, '127.0.0.1');
      client.on('error', () => undefined);
      client.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      await new Promise<void>((resolve) => client.once('data', () => resolve()));
      const left = Date.now();
      client.destroy();
      // Without `option abortonclose` only the second heartbeat after it (20 s) finds it gone.
      assert.ok(await waitUntil(async () => closedAt.has(path), 5_000), 'the stream stayed open');
      assert.ok((closedAt.get(path) ?? Infinity) - left < 2_000);
    });
  }
});
