import { createServiceMetrics } from '@marketshare/platform';

/**
 * The same names and labels as every service (`http_server_request_duration_seconds` by method,
 * route, status_code), with SvelteKit's route id as the route, so one dashboard reads them all.
 * Calls to the services go to the platform's `http_client_request_duration_seconds` (upstream.ts).
 */
export const metrics = createServiceMetrics('frontend');
