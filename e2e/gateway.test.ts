/**
 * Bad input through the gateway changes nothing; /internal/ and /metrics are never routed; every
 * service exposes its request histogram by route template and Prometheus scrapes them all.
 */
import assert from 'node:assert/strict';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import { field } from './support/gateway-client.js';
import { e2eWorld, PASSWORD, type World } from './support/world.js';

describe('end to end: input limits, routing and observability', function () {
  this.timeout(60_000);
  let w: World;
  let stack: World['stack'];
  let gateway: World['gateway'];
  const countAccounts = () => w.countAccounts();

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    ({ stack, gateway } = w);
  });

  describe('bad input through the gateway changes nothing', () => {
    const cases: Record<string, { body: string; status: number; field?: string }> = {
      'malformed JSON': { body: '{"role":', status: 400 },
      'wrong type': {
        body: JSON.stringify({
          role: 'consumer',
          companyName: 5,
          username: 'abc_def',
          email: 'a@b.test',
          password: PASSWORD,
        }),
        status: 400,
        field: 'companyName',
      },
      'missing field': {
        body: JSON.stringify({
          role: 'consumer',
          username: 'abc_def',
          email: 'a@b.test',
          password: PASSWORD,
        }),
        status: 400,
        field: 'companyName',
      },
      'unknown field': {
        body: JSON.stringify({
          ...{
            role: 'consumer',
            companyName: 'X',
            username: 'abc_def',
            email: 'a@b.test',
            password: PASSWORD,
          },
          isAdmin: true,
        }),
        status: 400,
        field: 'isAdmin',
      },
      'body over 1 MB': { body: JSON.stringify({ companyName: 'x'.repeat(1_100_000) }), status: 413 },
    };
    for (const [name, testCase] of Object.entries(cases)) {
      it(name, async () => {
        const before = await countAccounts();
        const response = await gateway.call('/api/users', {
          method: 'POST',
          body: testCase.body,
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(response.status, testCase.status, response.text);
        if (testCase.field) {
          assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
          // problem+json `errors` entries, as the platform's error handler writes them
          const fields = ((field(response.body, 'errors') ?? []) as { field: string }[]).map((e) => e.field);
          assert.ok(fields.includes(testCase.field), `fields: ${fields.join(', ')}`);
        }
        assert.equal(await countAccounts(), before);
      });
    }
  });

  describe('routing and observability', () => {
    it('never routes /internal/ or /metrics', async () => {
      for (const path of [
        '/internal/users/verify-credentials',
        '/api/users/../internal/users/x',
        '/metrics',
        '/METRICS',
        '/api/users/metrics/../../metrics',
      ]) {
        const response = await gateway.call(path, {
          method: path.includes('verify') ? 'POST' : 'GET',
          json: path.includes('verify') ? { username: 'a', password: 'b' } : undefined,
        });
        assert.equal(response.status, 404, `${path}: ${response.status}`);
        assert.doesNotMatch(response.text, /valid|http_server_request_duration_seconds/);
      }
    });

    it('exposes the request-duration histogram by route template on every service', async () => {
      for (const [name, url] of Object.entries(stack.info.urls.services)) {
        const metrics = await httpRequest(`${url}/metrics`);
        assert.equal(metrics.status, 200, name);
        assert.match(metrics.text, /http_server_request_duration_seconds_bucket\{/, name);
        assert.doesNotMatch(metrics.text, /route="\/api\/users\/[0-9a-f]{8}-/, `${name} labels raw paths`);
      }
      await gateway.call('/api/users/me'); // a 401 is still measured under its route template
      const users = await httpRequest(`${stack.info.urls.services['ms-users']}/metrics`);
      assert.match(users.text, /route="\/api\/users\/me"/);
    });

    it('is scraped by Prometheus: every service, HAProxy and RabbitMQ are up', async () => {
      const targets = await waitFor(
        async () => {
          const response = await httpRequest(`${stack.info.urls.prometheus}/api/v1/targets?state=active`);
          // Prometheus' /api/v1/targets response shape
          const active = (field(field(response.body, 'data'), 'activeTargets') ?? []) as {
            labels: { job: string };
            health: string;
          }[];
          const healthy = active.filter((t) => t.health === 'up').map((t) => t.labels.job);
          return active.length > 0 && active.every((t) => t.health === 'up') ? healthy : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 1_000, what: 'every Prometheus target to be up' },
      );
      for (const service of stack.info.services)
        assert.ok(
          targets.some((job) => job.includes(service)),
          `${service} scraped`,
        );
    });
  });
});
