/** gateway/haproxy.cfg: validity, routing, blocked paths, limits, request ids, exporter. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO_ROOT } from '../stack/config.js';
import { run } from '../stack/exec.js';
import { freePorts, waitUntil } from '../stack/net.js';
import { request, startBackend, startHaproxy, statusForHead } from './helpers.js';
import type { Backend, RunningHaproxy } from './helpers.js';

const TOKEN_RATE = 5;

describe('gateway (HAProxy)', function () {
  this.timeout(30_000);

  it('haproxy -c accepts gateway/haproxy.cfg with the example environment', async () => {
    const result = await run('bash', [path.join(REPO_ROOT, 'scripts', 'check-gateway.sh')], {
      timeoutMs: 20_000,
    });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /Configuration file is valid/);
  });

  describe('running', () => {
    const backends: Record<string, Backend> = {};
    let haproxy: RunningHaproxy | undefined;
    let gatewayPort = 0;
    let statsPort = 0;

    before(async () => {
      for (const name of ['auth', 'users', 'orders', 'frontend']) backends[name] = await startBackend(name);
      // ms-products is "not built": its address has nothing listening.
      const [gateway, stats, deadProducts] = await freePorts(3);
      assert.ok(gateway !== undefined && stats !== undefined && deadProducts !== undefined);
      gatewayPort = gateway;
      statsPort = stats;
      const addr = (name: string): string => `127.0.0.1:${backends[name]?.port ?? 0}`;
      haproxy = await startHaproxy(
        {
          GATEWAY_BIND: `127.0.0.1:${gatewayPort}`,
          GATEWAY_STATS_BIND: `127.0.0.1:${statsPort}`,
          MS_AUTH_ADDR: addr('auth'),
          MS_USERS_ADDR: addr('users'),
          MS_PRODUCTS_ADDR: `127.0.0.1:${deadProducts}`,
          MS_ORDERS_ADDR: addr('orders'),
          FRONTEND_ADDR: addr('frontend'),
          GATEWAY_TOKEN_RATE: String(TOKEN_RATE),
        },
        [gatewayPort, statsPort],
      );
      // Wait until every live backend is routable (health checks settle).
      const routable = await waitUntil(async () => {
        const answers = await Promise.all(
          ['/api/auth/x', '/api/users/x', '/api/orders', '/'].map((p) => request(gatewayPort, p)),
        );
        return answers.every((answer) => answer.status === 200);
      }, 15_000);
      assert.ok(routable, `backends did not become routable:\n${haproxy.output()}`);
    });

    after(async () => {
      await haproxy?.stop();
      await Promise.all(Object.values(backends).map((backend) => backend.close()));
    });

    const seenBy = (name: string, url: string): boolean =>
      backends[name]?.seen.some((seen) => seen.url === url) ?? false;
    const seenAnywhere = (url: string): boolean => Object.keys(backends).some((name) => seenBy(name, url));

    const routes: [string, string][] = [
      ['/api/auth/introspect', 'auth'],
      ['/.well-known/jwks.json', 'auth'],
      ['/.well-known/oauth-authorization-server', 'auth'],
      ['/api/users', 'users'],
      ['/api/users/me?fields=a%20b', 'users'],
      ['/api/cart', 'orders'],
      ['/api/cart/items/3', 'orders'],
      ['/api/orders/42/events', 'orders'],
      ['/api/reviews?product=1', 'orders'],
      ['/api/analytics/consumer', 'orders'],
      ['/', 'frontend'],
      ['/products/abc?q=1', 'frontend'],
      ['/api/usersettings', 'frontend'],
    ];
    for (const [url, backend] of routes) {
      it(`routes ${url} to ${backend} without rewriting`, async () => {
        const response = await request(gatewayPort, url);
        assert.equal(response.status, 200, response.body);
        assert.deepEqual(JSON.parse(response.body), { backend, url });
        assert.ok(seenBy(backend, url));
      });
    }

    it('routes an absolute-form target that names the Host header', async () => {
      const url = 'http://gateway/api/users/absolute-form';
      assert.equal(await statusForHead(gatewayPort, `GET ${url} HTTP/1.1\nHost: gateway`), 200);
      assert.ok(seenBy('users', url));
    });

    const blocked = [
      '/internal/x',
      '/api/products/internal/reservations',
      '/api/users/INTERNAL/check',
      '/%69nternal/x',
      '/internal',
      '/metrics',
      '/metrics/',
      '/metrics?format=text',
      '/METRICS',
      '//metrics',
      '/%6detrics',
      '/api/users/metrics/../../metrics',
      '/api/users/../internal/x',
      '/api/users/%2e%2e/%2E%2E/metrics',
      '/api/users/./me',
      '/api/metrics',
      '/api/users/metrics/',
    ];
    for (const url of blocked) {
      it(`answers 404 to ${url} and never routes it`, async () => {
        const response = await request(gatewayPort, url);
        assert.equal(response.status, 404);
        assert.equal(response.headers['content-type'], 'application/problem+json');
        assert.ok(!seenAnywhere(url), `${url} reached a backend`);
      });
    }

    it('answers 503 (problem+json) for a backend that is down', async () => {
      const response = await request(gatewayPort, '/api/products?q=x');
      assert.equal(response.status, 503);
      assert.equal(JSON.parse(response.body).status, 503);
    });

    // The heads ask for `100-continue`: the gateway answers those on the head alone (a body
    // sent along is read first, then answered: gateway-errors.test.ts).
    it('refuses a JSON body over 1 MB with 413 before it reaches the service', async () => {
      const before = backends['users']?.seen.length ?? 0;
      const head = `PUT /api/users/me HTTP/1.1\nHost: gateway\nContent-Type: application/json\nExpect: 100-continue\nContent-Length: ${1024 * 1024 + 1}`;
      assert.equal(await statusForHead(gatewayPort, head), 413);
      assert.equal(backends['users']?.seen.length, before);
    });

    it('lets a 1 MB body through', async () => {
      const response = await request(gatewayPort, '/api/users/me', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: Buffer.alloc(1024 * 1024, 0x20),
      });
      assert.equal(response.status, 200);
    });

    it('allows up to 6 MB on product image uploads only', async () => {
      const head = (url: string, size: number): string =>
        `POST ${url} HTTP/1.1\nHost: gateway\nContent-Type: image/png\nExpect: 100-continue\nContent-Length: ${size}`;
      // Within the limit the request is routed (503 here: ms-products is down); over it, 413.
      assert.equal(await statusForHead(gatewayPort, head('/api/products/p1/images', 6 * 1024 * 1024)), 503);
      assert.equal(
        await statusForHead(gatewayPort, head('/api/products/p1/images', 6 * 1024 * 1024 + 1)),
        413,
      );
      assert.equal(await statusForHead(gatewayPort, head('/api/products/p1', 2 * 1024 * 1024)), 413);
      assert.equal(await statusForHead(gatewayPort, head('/api/users/me', 2 * 1024 * 1024)), 413);
    });

    it('gives every request an X-Request-Id, keeping a well-formed one from the client', async () => {
      const fresh = await request(gatewayPort, '/api/users/id-check-1');
      const seen = backends['users']?.seen.find((req) => req.url === '/api/users/id-check-1');
      const id = seen?.headers['x-request-id'];
      assert.ok(typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id), `request id: ${String(id)}`);
      assert.equal(fresh.headers['x-request-id'], id);

      await request(gatewayPort, '/api/users/id-check-2', {
        headers: { 'x-request-id': 'client-chosen-id-123' },
      });
      const kept = backends['users']?.seen.find((req) => req.url === '/api/users/id-check-2');
      assert.equal(kept?.headers['x-request-id'], 'client-chosen-id-123');

      await request(gatewayPort, '/api/users/id-check-3', { headers: { 'x-request-id': 'bad id <script>' } });
      const replaced = backends['users']?.seen.find((req) => req.url === '/api/users/id-check-3');
      assert.match(String(replaced?.headers['x-request-id']), /^[0-9a-f-]{36}$/);

      const blockedResponse = await request(gatewayPort, '/internal/x');
      assert.match(String(blockedResponse.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      assert.match(
        haproxy?.output() ?? '',
        /\{[0-9a-f-]{36}\|[0-9a-f]{32}\}/,
        'the access log carries the request id and the trace id',
      );
    });

    it('joins a well-formed traceparent and starts a trace for a request without one', async () => {
      const given = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      await request(gatewayPort, '/api/users/trace-1', {
        headers: { traceparent: given, tracestate: 'a=b' },
      });
      const joined = backends['users']?.seen.find((req) => req.url === '/api/users/trace-1');
      assert.equal(joined?.headers['traceparent'], given);
      assert.equal(joined?.headers['tracestate'], 'a=b');
      await request(gatewayPort, '/api/users/trace-2', {
        headers: { traceparent: 'junk', tracestate: 'a=b' },
      });
      const started = backends['users']?.seen.find((req) => req.url === '/api/users/trace-2');
      const traceparent = String(started?.headers['traceparent']);
      assert.match(traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.equal(started?.headers['tracestate'], undefined);
      // The access log line is written once the answer is sent, a moment after it arrived.
      const logged = new RegExp(`\\|${traceparent.slice(3, 35)}\\}`);
      await waitUntil(async () => Promise.resolve(logged.test(haproxy?.output() ?? '')), 2000, 50);
      assert.match(haproxy?.output() ?? '', logged, 'the access log carries the trace id it started');
    });

    it('replaces client-supplied forwarding headers with the real client address', async () => {
      await request(gatewayPort, '/api/users/xff-check', { headers: { 'x-forwarded-for': '203.0.113.9' } });
      const seen = backends['users']?.seen.find((req) => req.url === '/api/users/xff-check');
      assert.equal(seen?.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(seen?.headers['x-forwarded-proto'], 'http');
    });

    it(`rate-limits /api/auth/token per client IP (429 with Retry-After past ${TOKEN_RATE} per 10 s)`, async () => {
      const statuses: number[] = [];
      let retryAfter: string | string[] | undefined;
      for (let i = 0; i < TOKEN_RATE + 3; i += 1) {
        const response = await request(gatewayPort, '/api/auth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from('grant_type=client_credentials'),
        });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers['retry-after'];
      }
      assert.deepEqual(statuses.slice(0, TOKEN_RATE), Array<number>(TOKEN_RATE).fill(200));
      assert.deepEqual(statuses.slice(TOKEN_RATE), [429, 429, 429]);
      assert.equal(retryAfter, '10');
      const reached = backends['auth']?.seen.filter((req) => req.url === '/api/auth/token').length;
      assert.equal(reached, TOKEN_RATE);
      // Other endpoints are not limited by it.
      assert.equal((await request(gatewayPort, '/api/auth/introspect')).status, 200);
    });

    it('serves the Prometheus exporter and the stats page on the stats port', async () => {
      const metrics = await request(statsPort, '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /^haproxy_process_/m);
      assert.match(metrics.body, /^haproxy_backend_active_servers\{proxy="ms-auth"\} 1$/m);
      assert.match(metrics.body, /^haproxy_backend_active_servers\{proxy="ms-products"\} 0$/m);
      const stats = await request(statsPort, '/stats');
      assert.equal(stats.status, 200);
      assert.match(stats.body, /ms-users/);
    });
  });
});
