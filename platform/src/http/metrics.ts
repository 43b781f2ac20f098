import { performance } from 'node:perf_hooks';
import { SpanKind, trace } from '@opentelemetry/api';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OpenMetricsContentType } from 'prom-client';
import { onFinishedSpan } from '../finished-spans.js';
import type { tracing } from '@opentelemetry/sdk-node';
import type { AppMiddleware } from './context.js';

/** OpenTelemetry's recommended buckets for http.server.request.duration, in seconds. */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** OpenTelemetry's buckets for db.client.operation.duration, in seconds. */
export const DB_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

export type { MetricsRegistry } from '../metrics-registry.js';

/**
 * Every service's registry writes OpenMetrics, the format that carries exemplars (Prometheus
 * asks for it first; it reads like the classic text format with a closing `# EOF`).
 */
export type ServiceRegistry = Registry<OpenMetricsContentType>;

/**
 * The labels of the HTTP histogram; `trace_id` is only ever an exemplar label (prom-client
 * types exemplar labels with the metric's own label names).
 */
type HttpDurationLabel = 'method' | 'route' | 'status_code' | 'trace_id';

export interface ServiceMetrics {
  registry: ServiceRegistry;
  httpDuration: Histogram<HttpDurationLabel>;
  dbDuration: Histogram<'db_system' | 'db_operation'>;
}

const OPERATION = /^[a-z][a-z_]{0,30}$/;

/**
 * The operation of a database client span, in a closed, low-cardinality form: the
 * instrumentations name it differently (pg `pg.query:SELECT db`, mysql2 `SELECT`, mongoose
 * `mongoose.Order.save`, pools `pg-pool.connect`), some also as an attribute.
 */
export function databaseOperation(name: string, attributes: Record<string, unknown>): string {
  const named = attributes['db.operation.name'] ?? attributes['db.operation'];
  if (typeof named === 'string' && OPERATION.test(named.toLowerCase())) return named.toLowerCase();
  if (name.endsWith('.connect')) return 'connect';
  const word = (name.split(':')[1] ?? name).trim().split(/[\s.]/)[0]?.toLowerCase() ?? '';
  return OPERATION.test(word) ? word : 'other';
}

function recordDatabaseSpan(histogram: ServiceMetrics['dbDuration'], span: tracing.ReadableSpan): void {
  if (span.kind !== SpanKind.CLIENT) return;
  const system = span.attributes['db.system.name'] ?? span.attributes['db.system'];
  if (typeof system !== 'string') return;
  const [seconds, nanos] = span.duration;
  histogram.observe(
    { db_system: system, db_operation: databaseOperation(span.name, span.attributes) },
    seconds + nanos / 1e9,
  );
}

/** One registry per app, never the global one: several apps share a process in tests. */
export function createServiceMetrics(
  service: string,
  options: { defaultMetrics?: boolean } = {},
): ServiceMetrics {
  // prom-client's types declare no constructor argument: the content type is set after.
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests, by route template.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
    enableExemplars: true,
  });
  const dbDuration = new Histogram({
    name: 'db_client_operation_duration_seconds',
    help: 'Duration of database operations (pg, mysql2, mongoose), from their client spans.',
    labelNames: ['db_system', 'db_operation'],
    buckets: DB_DURATION_BUCKETS,
    registers: [registry],
  });
  onFinishedSpan(dbDuration, recordDatabaseSpan);
  return { registry, httpDuration, dbDuration };
}

/** The trace of the request being answered, when it is sampled: a bucket's exemplar links to it. */
function sampledTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || (spanContext.traceFlags & 1) === 0) return undefined;
  return spanContext.traceId;
}

/**
 * Records one answered request, with the sampled trace as the bucket's exemplar. The Koa apps
 * (httpMetrics) and the SvelteKit server share it, so both label alike.
 */
export function observeHttpRequest(
  metrics: ServiceMetrics,
  request: { method: string; route: string; status_code: number },
  seconds: number,
): void {
  const traceId = sampledTraceId();
  metrics.httpDuration.observe({
    labels: request,
    value: seconds,
    exemplarLabels: traceId === undefined ? {} : { trace_id: traceId },
  });
}

export function httpMetrics(metrics: ServiceMetrics): AppMiddleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      if (ctx.path !== '/metrics') {
        const route = ctx.state.routeTemplate ?? 'unmatched';
        observeHttpRequest(
          metrics,
          { method: ctx.method, route, status_code: ctx.status },
          (performance.now() - started) / 1000,
        );
      }
    }
  };
}
