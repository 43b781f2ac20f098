/**
 * Finished spans, handed to whoever measures them. The tracing SDK (telemetry.ts) feeds this
 * once it runs; metrics read durations from it that only the instrumentations see, such as
 * every database query of pg, mysql2 and mongoose, without wrapping those drivers a second time.
 * Without the SDK (OTEL_SDK_DISABLED, or code that never preloads it) nothing arrives and
 * nothing is kept.
 */
import type { tracing } from '@opentelemetry/sdk-node';

/** Measures one finished span into `target` (e.g. a histogram). */
export type FinishedSpanRecorder<T extends object> = (target: T, span: tracing.ReadableSpan) => void;

interface Subscription {
  deliver(span: tracing.ReadableSpan): boolean;
}

const subscriptions = new Set<Subscription>();
let feeding = false;

/** Called by the tracing SDK's set-up: from now on spans arrive. */
export function startFeedingFinishedSpans(): void {
  feeding = true;
}

/**
 * Calls `record(target, span)` for every span that ends, while the SDK runs and as long as
 * `target` lives: held weakly, because a test process builds hundreds of apps, each with its
 * own registry, and a span must not be measured into the ones already thrown away.
 */
export function onFinishedSpan<T extends object>(target: T, record: FinishedSpanRecorder<T>): void {
  if (!feeding) return;
  const ref = new WeakRef(target);
  subscriptions.add({
    deliver(span) {
      const live = ref.deref();
      if (live === undefined) return false;
      record(live, span);
      return true;
    },
  });
}

export function notifyFinishedSpan(span: tracing.ReadableSpan): void {
  for (const subscription of subscriptions) {
    try {
      if (!subscription.deliver(span)) subscriptions.delete(subscription);
    } catch (error) {
      // A broken measurement must never break the request whose span just ended.
      process.stderr.write(`finished-span recorder failed: ${String(error)}\n`);
    }
  }
}
