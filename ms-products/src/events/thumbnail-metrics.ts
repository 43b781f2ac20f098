import { Counter } from 'prom-client';
import type { MetricsRegistry } from '@marketshare/platform';
import type { ThumbnailOutcome } from '../domain/images/thumbnails.js';

export interface ThumbnailMetrics {
  count(outcome: ThumbnailOutcome): void;
}

const counters = new WeakMap<MetricsRegistry, Counter<'outcome'>>();

export function thumbnailMetrics(registry: MetricsRegistry): ThumbnailMetrics {
  let counter = counters.get(registry);
  if (!counter) {
    counter = new Counter({
      name: 'product_image_thumbnails_total',
      help: 'Thumbnail jobs by outcome: made, already_done (duplicate), gone (deleted meanwhile), undecodable',
      labelNames: ['outcome'],
      registers: [registry],
    });
    counters.set(registry, counter);
  }
  const thumbnails = counter;
  return { count: (outcome) => thumbnails.inc({ outcome }) };
}
