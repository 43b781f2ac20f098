import { Histogram } from 'prom-client';
import { HTTP_DURATION_BUCKETS, createServiceMetrics } from '@marketshare/platform';

/**
 * The same names and labels as every service (`http_server_request_duration_seconds` by method,
 * route, status_code), with SvelteKit's route id as the route, so one dashboard reads them all.
 */
export const metrics = createServiceMetrics('frontend');

/** Calls from this server to the services, by upstream and route template (never raw paths). */
export const apiCallDuration = new Histogram({
  name: 'http_client_request_duration_seconds',
  help: 'Duration of API calls from the frontend server to the services, by upstream and route template.',
  labelNames: ['upstream', 'route', 'method', 'status_code'],
  buckets: HTTP_DURATION_BUCKETS,
  registers: [metrics.registry],
});
