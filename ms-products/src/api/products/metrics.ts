import { Counter } from 'prom-client';
import type { MetricsRegistry } from '@marketshare/platform';

export interface CatalogueMetrics {
  created: Counter;
  deleted: Counter;
}

/** Business counters on the app's own registry (several apps share a process in tests). */
export function createCatalogueMetrics(registry: MetricsRegistry): CatalogueMetrics {
  return {
    created: new Counter({
      name: 'products_created_total',
      help: 'Products created by sellers',
      registers: [registry],
    }),
    deleted: new Counter({
      name: 'products_deleted_total',
      help: 'Products deleted by sellers',
      registers: [registry],
    }),
  };
}
