import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import type { Context, ContextManager, SpanContext, TextMapPropagator } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';

// The services get these from the OpenTelemetry SDK; the tests need only the two pieces
// trace propagation depends on, so they carry their own minimal versions instead of
// starting an SDK (another test in the same process may have started one: then theirs,
// which behaves the same, stays registered and these registrations are refused).

class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    activeContext: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(activeContext, () => fn.call(thisArg, ...args));
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

const w3cTraceContext: TextMapPropagator = {
  inject(activeContext, carrier, setter) {
    const spanContext = trace.getSpanContext(activeContext);
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    const flags = `0${(spanContext.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
    setter.set(carrier, 'traceparent', `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
  },
  extract(activeContext, carrier, getter) {
    const header = getter.get(carrier, 'traceparent');
    const match = TRACEPARENT.exec(Array.isArray(header) ? (header[0] ?? '') : (header ?? ''));
    if (!match?.[1] || !match[2] || !match[3]) return activeContext;
    const spanContext: SpanContext = {
      traceId: match[1],
      spanId: match[2],
      traceFlags: parseInt(match[3], 16),
      isRemote: true,
    };
    return trace.setSpanContext(activeContext, spanContext);
  },
  fields: () => ['traceparent'],
};

/** True when a context set with context.with is active inside it and injects a traceparent. */
function propagationWorks(): boolean {
  const probe = newTraceContext();
  const carrier: Record<string, string> = {};
  return context.with(probe.context, () => {
    propagation.inject(context.active(), carrier);
    return (carrier['traceparent'] ?? '').includes(probe.traceId);
  });
}

/** Makes trace context flow (unless an SDK started elsewhere in this process already does). */
export function ensureTracePropagation(): void {
  if (propagationWorks()) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(w3cTraceContext);
}

/** A context holding a fresh sampled span context, as an incoming request would have. */
export function newTraceContext(): { traceId: string; context: Context } {
  const traceId = randomBytes(16).toString('hex');
  const spanContext: SpanContext = {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: false,
  };
  return { traceId, context: trace.setSpanContext(ROOT_CONTEXT, spanContext) };
}

export function activeTraceId(): string | undefined {
  return trace.getSpanContext(context.active())?.traceId;
}
