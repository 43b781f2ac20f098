import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';

let sdk: NodeSDK | undefined;

/**
 * Starts tracing before the instrumented libraries are loaded. Spans are always created (so
 * logs carry trace ids and context crosses HTTP and RabbitMQ); they are exported over OTLP
 * only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
export function startTelemetry(serviceName: string): void {
  if (sdk || process.env['OTEL_SDK_DISABLED'] === 'true') return;
  const exporting = Boolean(process.env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  sdk = new NodeSDK({
    serviceName,
    // Without an exporter a no-op processor still installs the real tracer provider, so ids exist.
    ...(exporting
      ? { traceExporter: new OTLPTraceExporter() }
      : { spanProcessors: [new tracing.NoopSpanProcessor()] }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) =>
          ['/healthz', '/readyz', '/metrics'].includes(request.url ?? ''),
      }),
      new KoaInstrumentation(),
      new MySQL2Instrumentation(),
      new AmqplibInstrumentation(),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
