import assert from 'node:assert/strict';
import { createLogger } from '../src/logger.js';
import { createServiceMetrics } from '../src/http/metrics.js';
import { createServiceApp } from '../src/http/service-app.js';
import { defineRoute } from '../src/http/route.js';
import { Lifecycle, listen } from '../src/server.js';
import { httpRequest } from '../src/testing/http.js';

describe('platform lifecycle (graceful shutdown)', () => {
  it('turns readiness red, drains in-flight requests, then runs the stop steps in reverse', async () => {
    const logger = createLogger({ service: 'drain', level: 'silent' });
    const lifecycle = new Lifecycle(logger, 5_000);
    let releaseSlow: () => void = () => undefined;
    let markStarted: () => void = () => undefined;
    const slowStarted = new Promise<void>((resolve) => (markStarted = resolve));
    const slowRoute = defineRoute({
      method: 'get',
      path: '/api/slow',
      operationId: 'slow',
      summary: 'Answers when released',
      auth: 'public',
      responses: { 200: { description: 'done' } },
      handler: async () => {
        markStarted();
        await new Promise<void>((resolve) => (releaseSlow = resolve));
        return { body: { done: true } };
      },
    });
    const app = createServiceApp({
      apiName: 'drain',
      title: 'Drain',
      logger,
      metrics: createServiceMetrics('drain', { defaultMetrics: false }),
      routes: [slowRoute],
      verifier: undefined,
      readiness: {},
      bodyLimitBytes: 1024,
      isShuttingDown: lifecycle.isShuttingDown,
    });
    const server = await listen(app, '127.0.0.1', 0);
    const order: string[] = [];
    lifecycle.onStop('pool', async () => {
      order.push('pool');
    });
    lifecycle.onStop('http server', async () => {
      order.push('http server closing');
      await server.close();
      order.push('http server closed');
    });

    const inFlight = httpRequest(`${server.url}/api/slow`);
    await slowStarted;
    const shutdown = lifecycle.shutdown();
    assert.equal(lifecycle.isShuttingDown(), true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(order, ['http server closing'], 'the pool waits for the drain');
    await assert.rejects(fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2_000) }));
    releaseSlow();
    const response = await inFlight;
    assert.equal(response.status, 200);
    assert.equal(await shutdown, true);
    assert.deepEqual(order, ['http server closing', 'http server closed', 'pool']);
  });

  it('reports an unclean shutdown when a step outlives the timeout', async () => {
    const lifecycle = new Lifecycle(createLogger({ service: 'slow', level: 'silent' }), 100);
    lifecycle.onStop('stuck', () => new Promise<void>((resolve) => setTimeout(resolve, 1_000)));
    assert.equal(await lifecycle.shutdown(), false);
  });
});
