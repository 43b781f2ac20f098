import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppMiddleware } from './context.js';

/** OpenTelemetry's recommended buckets for http.server.request.duration, in seconds. */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

export interface ServiceMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
}

/** One registry per app, never the global one: several apps share a process in tests. */
export function createServiceMetrics(
  service: string,
  options: { defaultMetrics?: boolean } = {},
): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests, by route template.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  return { registry, httpDuration };
}

export function httpMetrics(metrics: ServiceMetrics): AppMiddleware {
  return async (ctx, next) => {
    const stopTimer = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      if (ctx.path !== '/metrics') {
        stopTimer({
          method: ctx.method,
          route: ctx.state.routeTemplate ?? 'unmatched',
          status_code: ctx.status,
        });
      }
    }
  };
}
