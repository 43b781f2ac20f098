import { Counter } from 'prom-client';
import { HttpProblem, type MetricsRegistry } from '@marketshare/platform';
import { ImageError } from '../../domain/images/errors.js';

export interface UploadMetrics {
  /** Counts an upload: `stored`, or the refusal (its stable code; `internal_error` for the rest). */
  count(result: 'stored' | unknown): void;
}

const counters = new WeakMap<MetricsRegistry, Counter<'outcome'>>();

function outcomeOf(result: unknown): string {
  if (result === 'stored') return 'stored';
  // Both carry codes from a fixed set, so the label stays bounded.
  if (result instanceof ImageError || result instanceof HttpProblem) return result.code;
  return 'internal_error';
}

export function uploadMetrics(registry: MetricsRegistry): UploadMetrics {
  let counter = counters.get(registry);
  if (!counter) {
    counter = new Counter({
      name: 'product_image_uploads_total',
      help: 'Image uploads by outcome: stored, or why they were refused',
      labelNames: ['outcome'],
      registers: [registry],
    });
    counters.set(registry, counter);
  }
  const uploads = counter;
  return { count: (result) => uploads.inc({ outcome: outcomeOf(result) }) };
}
