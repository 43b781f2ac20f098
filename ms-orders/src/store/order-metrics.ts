import type { Logger, MetricsRegistry } from '@marketshare/platform';
import { Gauge } from 'prom-client';
import { ORDER_STATUSES } from '../domain/orders.js';
import type { OrdersModels } from './models.js';

/**
 * `orders{status}`: the orders in the database by status, counted when Prometheus scrapes.
 * A count of stored orders rather than a per-process counter, so it survives restarts and
 * every instance reports the same figure (dashboards take max(), not sum(), over instances).
 */
export function registerOrderMetrics(models: OrdersModels, registry: MetricsRegistry, logger: Logger): void {
  if (registry.getSingleMetric('orders')) return;
  const gauge: Gauge<'status'> = new Gauge({
    name: 'orders',
    help: 'Orders stored, by status (counted at scrape time; the same on every instance).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      try {
        const counts = await models.orders.aggregate<{ _id: string; count: number }>([
          { $group: { _id: '$status', count: { $sum: 1 } } },
        ]);
        const byStatus = new Map(counts.map((row) => [row._id, row.count]));
        for (const status of ORDER_STATUSES) gauge.set({ status }, byStatus.get(status) ?? 0);
      } catch (error) {
        // A scrape while MongoDB is away keeps the last figures; readiness reports the outage.
        logger.warn({ err: error }, 'could not count orders for metrics');
      }
    },
  });
}
