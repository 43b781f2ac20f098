import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { startTelemetry } from '../src/telemetry.js';
import { routeTemplateOf } from '../src/http/client-metrics.js';
import { createServiceMetrics, databaseOperation, observeHttpRequest } from '../src/http/metrics.js';
import { InternalHttpClient, UpstreamUnavailableError } from '../src/internal-client.js';
import { ensureTracePropagation, newTraceContext } from '../src/testing/index.js';

/** A sample line without the registry's default `service` label. */
const withoutService = (line: string): string =>
  line.replace('service="metrics-test"', '').replace('{,', '{').replace(',}', '}');

/** The lines of `name` in a registry's OpenMetrics text. */
async function linesOf(metrics: ReturnType<typeof createServiceMetrics>, name: string): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('platform metrics', () => {
  describe('the HTTP server histogram', () => {
    before(ensureTracePropagation);

    it('writes OpenMetrics, with the sampled trace id as the exemplar of the bucket it fell in', async () => {
      const metrics = createServiceMetrics('metrics-test', { defaultMetrics: false });
      assert.match(metrics.registry.contentType, /^application\/openmetrics-text/);
      const { traceId, context: traced } = newTraceContext();
      context.with(traced, () =>
        observeHttpRequest(metrics, { method: 'GET', route: '/api/things/:id', status_code: 200 }, 0.02),
      );
      const buckets = await linesOf(metrics, 'http_server_request_duration_seconds_bucket');
      const withExemplar = buckets.filter((line) => line.includes('# {'));
      assert.equal(withExemplar.length, 1, buckets.join('\n'));
      assert.match(withExemplar[0] ?? '', /le="0.025".* # \{trace_id="([0-9a-f]{32})"\} 0.02 /);
      assert.ok(withExemplar[0]?.includes(traceId));
      assert.ok((await metrics.registry.metrics()).trimEnd().endsWith('# EOF'));
    });

    it('gives no exemplar outside a trace or for an unsampled one', async () => {
      const metrics = createServiceMetrics('metrics-test', { defaultMetrics: false });
      observeHttpRequest(metrics, { method: 'GET', route: '/a', status_code: 200 }, 0.02);
      const { context: traced } = newTraceContext();
      const spanContext = trace.getSpanContext(traced);
      assert.ok(spanContext);
      const unsampled = trace.setSpanContext(context.active(), { ...spanContext, traceFlags: 0 });
      context.with(unsampled, () =>
        observeHttpRequest(metrics, { method: 'GET', route: '/a', status_code: 200 }, 0.02),
      );
      const buckets = await linesOf(metrics, 'http_server_request_duration_seconds_bucket');
      assert.ok(buckets.some((line) => line.includes('le="0.025"') && line.includes(' 2')));
      assert.deepEqual(
        buckets.filter((line) => line.includes('# {')),
        [],
      );
    });
  });

  describe('database operation durations', () => {
    it('are read from the database client spans the instrumentations end', async () => {
      startTelemetry('metrics-test');
      const metrics = createServiceMetrics('metrics-test', { defaultMetrics: false });
      const tracer = trace.getTracer('metrics-test');
      const client = { kind: SpanKind.CLIENT };
      tracer
        .startSpan('pg.query:SELECT marketshare', { ...client, attributes: { 'db.system': 'postgresql' } })
        .end();
      tracer
        .startSpan('mongoose.Order.save', {
          ...client,
          attributes: { 'db.system': 'mongoose', 'db.operation': 'save' },
        })
        .end();
      tracer.startSpan('pg-pool.connect', { ...client, attributes: { 'db.system': 'postgresql' } }).end();
      // Not database operations: a server span, and a client span of another kind.
      tracer.startSpan('GET /x', { kind: SpanKind.SERVER, attributes: { 'db.system': 'postgresql' } }).end();
      tracer.startSpan('GET', { ...client, attributes: { 'http.request.method': 'GET' } }).end();
      const counts = await linesOf(metrics, 'db_client_operation_duration_seconds_count');
      assert.deepEqual(counts.map(withoutService).sort(), [
        'db_client_operation_duration_seconds_count{db_system="mongoose",db_operation="save"} 1',
        'db_client_operation_duration_seconds_count{db_system="postgresql",db_operation="connect"} 1',
        'db_client_operation_duration_seconds_count{db_system="postgresql",db_operation="select"} 1',
      ]);
    });

    it('name the operation from the attribute or the span name, in a closed form', () => {
      assert.equal(databaseOperation('pg.query:SELECT db', {}), 'select');
      assert.equal(databaseOperation('INSERT', { 'db.operation.name': 'INSERT' }), 'insert');
      assert.equal(databaseOperation('mongoose.Order.findOne', { 'db.operation': 'findOne' }), 'findone');
      assert.equal(databaseOperation('mysql2.connect', {}), 'connect');
      assert.equal(databaseOperation("SELECT * FROM t WHERE name = 'x'", {}), 'select');
      assert.equal(databaseOperation('pg.query:4$weird', {}), 'other');
    });
  });

  describe('outbound calls', () => {
    let server: Server;
    let baseUrl: string;
    before(async () => {
      server = createServer((request, response) => {
        response.writeHead(request.url?.startsWith('/broken') ? 500 : 200, {
          'content-type': 'application/json',
        });
        response.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo; // a listening TCP server has an AddressInfo
      baseUrl = `http://127.0.0.1:${port}`;
    });
    after(() => server.close());

    it('are measured by upstream, server address, method, route template and status', async () => {
      const metrics = createServiceMetrics('metrics-test', { defaultMetrics: false });
      const client = new InternalHttpClient({
        name: 'things',
        upstream: 'ms-things',
        baseUrl,
        registry: metrics.registry,
      });
      await client.request('GET', '/internal/things/7f3c1c8e-2a44-4b7e-9c1e-7a8d9f0e1b2c?expand=1');
      await client.request('GET', '/internal/things/42');
      await client.request('POST', '/broken/things', { a: 1 });
      const down = new InternalHttpClient({
        name: 'gone',
        baseUrl: 'http://127.0.0.1:1',
        registry: metrics.registry,
      });
      await assert.rejects(down.request('GET', '/x'), UpstreamUnavailableError);
      const host = new URL(baseUrl).host;
      const counts = (await linesOf(metrics, 'http_client_request_duration_seconds_count')).map(
        withoutService,
      );
      assert.deepEqual(counts.sort(), [
        `http_client_request_duration_seconds_count{upstream="gone",server_address="127.0.0.1:1",method="GET",route="/x",status_code="0"} 1`,
        `http_client_request_duration_seconds_count{upstream="ms-things",server_address="${host}",method="GET",route="/internal/things/:id",status_code="200"} 2`,
        `http_client_request_duration_seconds_count{upstream="ms-things",server_address="${host}",method="POST",route="/broken/things",status_code="500"} 1`,
      ]);
    });

    it('never label a raw id or query', () => {
      assert.equal(routeTemplateOf('/api/products/123/images/9?size=large'), '/api/products/:id/images/:id');
      assert.equal(routeTemplateOf('/internal/users/5f2b0c9e8a1d4c3b2a190807'), '/internal/users/:id');
      assert.equal(routeTemplateOf('/internal/stock/reservations'), '/internal/stock/reservations');
      assert.equal(
        routeTemplateOf('/internal/users/7F3C1C8E-2A44-4B7E-9C1E-7A8D9F0E1B2C'),
        '/internal/users/:id',
      );
    });
  });
});
