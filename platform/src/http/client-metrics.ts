/**
 * Outbound HTTP calls, measured like the server side (OpenTelemetry's http.client.request.duration
 * as `http_client_request_duration_seconds`): by upstream service, server address, method, route
 * template and status code (0 when no answer came), so every edge of the call graph has its
 * own rate, errors and latency.
 */
import { Histogram } from 'prom-client';
import type { MetricsRegistry } from './metrics.js';
import { HTTP_DURATION_BUCKETS } from './metrics.js';

export type OutboundLabel = 'upstream' | 'server_address' | 'method' | 'route' | 'status_code';

const histograms = new WeakMap<MetricsRegistry, Histogram<OutboundLabel>>();

/** One histogram per registry: every client of a service shares it. */
export function outboundHttpDuration(registry: MetricsRegistry): Histogram<OutboundLabel> {
  let histogram = histograms.get(registry);
  if (!histogram) {
    histogram = new Histogram({
      name: 'http_client_request_duration_seconds',
      help: 'Duration of outbound HTTP calls, by upstream, server address, method, route template and status (0: no answer).',
      labelNames: ['upstream', 'server_address', 'method', 'route', 'status_code'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    });
    histograms.set(registry, histogram);
  }
  return histogram;
}

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{24}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * The route template of a concrete path: ids (numbers, UUIDs, MongoDB object ids) become `:id`
 * and the query is dropped, so a label never holds a raw path.
 */
export function routeTemplateOf(path: string): string {
  const [withoutQuery = ''] = path.split(/[?#]/);
  return withoutQuery
    .split('/')
    .map((segment) => (ID_SEGMENT.test(decodeSegment(segment)) ? ':id' : segment))
    .join('/');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Starts timing one call to `url`; the returned function records it with the status (0: none). */
export function timeOutboundCall(
  registry: MetricsRegistry | undefined,
  call: { upstream: string; url: URL; method: string; route?: string },
): (status: number) => void {
  if (!registry) return () => undefined;
  const stop = outboundHttpDuration(registry).startTimer({
    upstream: call.upstream,
    server_address: call.url.host,
    method: call.method.toUpperCase(),
    route: call.route ?? routeTemplateOf(call.url.pathname),
  });
  return (status) => {
    stop({ status_code: status });
  };
}
