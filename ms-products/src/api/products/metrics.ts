import { Counter, type Registry } from 'prom-client';

export interface CatalogueMetrics {
  created: Counter;
  deleted: Counter;
}

/** Business counters on the app's own registry (several apps share a process in tests). */
export function createCatalogueMetrics(registry: Registry): CatalogueMetrics {
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
