import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';

/**
 * A registry metrics can be created in. Every service's own (createServiceMetrics) writes
 * OpenMetrics, the format that carries exemplars; tests and tools may pass a classic one.
 */
export type MetricsRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;
