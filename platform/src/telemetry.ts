import type { Context } from '@opentelemetry/api';
import { SpanKind, isSpanContextValid } from '@opentelemetry/api';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation, KoaLayerType } from '@opentelemetry/instrumentation-koa';
import { MongooseInstrumentation } from '@opentelemetry/instrumentation-mongoose';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { notifyFinishedSpan, startFeedingFinishedSpans } from './finished-spans.js';

let sdk: NodeSDK | undefined;

const PROBE_PATHS = ['/healthz', '/readyz', '/metrics'];

/**
 * The exporters OTEL_TRACES_EXPORTER names (otlp, zipkin, console; comma-separated), each
 * configured by its own standard variables (OTEL_EXPORTER_OTLP_*, OTEL_EXPORTER_ZIPKIN_ENDPOINT).
 * Unset means OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, and nothing otherwise: a process
 * without a configured backend must not retry an export to localhost forever.
 */
export function tracesExportersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (listed.includes('none')) return [];
  if (listed.length > 0) return [...new Set(listed)];
  return env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? ['otlp'] : [];
}

function exporterFor(name: string): tracing.SpanExporter | undefined {
  if (name === 'otlp') return new OTLPTraceExporter();
  if (name === 'zipkin') return new ZipkinExporter();
  if (name === 'console') return new tracing.ConsoleSpanExporter();
  process.stderr.write(`telemetry: unknown OTEL_TRACES_EXPORTER value "${name}" ignored\n`);
  return undefined;
}

/**
 * Drops finished root spans of database clients: the outbox relays and maintenance loops poll
 * every second outside any request, and a trace per poll would bury the traces people look
 * for (and cost an export each). Database spans inside a request are kept.
 */
class BackgroundQueryFilter implements tracing.SpanProcessor {
  constructor(private readonly next: tracing.SpanProcessor) {}
  onStart(span: tracing.Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }
  onEnd(span: tracing.ReadableSpan): void {
    const orphanQuery =
      span.parentSpanContext === undefined &&
      span.kind === SpanKind.CLIENT &&
      (span.attributes['db.system'] !== undefined || span.attributes['db.system.name'] !== undefined);
    if (!orphanQuery) this.next.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/** Hands every finished span, exported or not, to the metrics that measure them (finished-spans.ts). */
class FinishedSpanFeed implements tracing.SpanProcessor {
  onStart(): void {}
  onEnd(span: tracing.ReadableSpan): void {
    notifyFinishedSpan(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A caller that injected the trace context itself (InternalHttpClient, which also works
 * without an SDK) would otherwise send two traceparent headers once the undici
 * instrumentation adds its client span's: the receiver would see neither.
 */
function dropInjectedTraceContext(request: UndiciRequest): void {
  const propagated = new Set(['traceparent', 'tracestate']);
  if (typeof request.headers === 'string') {
    request.headers = request.headers
      .split('\r\n')
      .filter((line) => !propagated.has(line.slice(0, line.indexOf(':')).trim().toLowerCase()))
      .join('\r\n');
    return;
  }
  const headers = request.headers;
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    const name = headers[i];
    if (typeof name === 'string' && propagated.has(name.toLowerCase())) headers.splice(i, 2);
  }
}

/**
 * Starts tracing before the instrumented libraries are loaded. Spans are always created (so
 * logs carry trace ids and context crosses HTTP and RabbitMQ); they are exported, in batches
 * (OTEL_BSP_* tune them), to what the standard OTEL_* variables name (tracesExportersFromEnv).
 * The sampler is the SDK's: OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG.
 */
export function startTelemetry(serviceName: string): void {
  if (sdk || process.env['OTEL_SDK_DISABLED'] === 'true') return;
  const exporters = tracesExportersFromEnv().flatMap((name) => exporterFor(name) ?? []);
  // Without an exporter the feed alone still installs the real tracer provider, so ids exist.
  const spanProcessors: tracing.SpanProcessor[] = [
    new FinishedSpanFeed(),
    ...exporters.map((exporter) => new BackgroundQueryFilter(new tracing.BatchSpanProcessor(exporter))),
  ];
  startFeedingFinishedSpans();
  sdk = new NodeSDK({
    serviceName,
    spanProcessors,
    // Logs go to stdout through pino; without this the SDK would set up an OTLP log exporter.
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => PROBE_PATHS.includes(request.url ?? ''),
        // Node's fetch goes through undici (below); this covers http.request users.
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({
        // Background calls (JWKS refresh) would each start a trace of one span.
        requireParentforSpans: true,
        // Only when this span's context replaces it: without a parent the hook still runs (with
        // an invalid span) and nothing is injected, so a caller's own traceparent must stay.
        requestHook: (span, request) => {
          if (isSpanContextValid(span.spanContext())) dropInjectedTraceContext(request);
        },
      }),
      // Router layers name the route; a span per anonymous middleware (five a request) says nothing.
      new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
      new MySQL2Instrumentation(),
      // Pool checkouts are not database work; their spans doubled the spans of a query.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new MongooseInstrumentation({ requireParentSpan: true }),
      new AmqplibInstrumentation(),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
