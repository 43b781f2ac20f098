import { context, propagation } from '@opentelemetry/api';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import type { PublishHeaders } from '@marketshare/platform/rabbit';

/** An event as it waits in its order's `outbox` array. */
export interface StoredOutboxEvent extends EventEnvelope {
  headers: PublishHeaders;
  sentAt: null;
}

/**
 * The event plus the active trace context (traceparent, tracestate), captured while the
 * request that wrote it is still running, so the relay's publish later continues its trace.
 */
export function withCapturedTraceContext(event: EventEnvelope): StoredOutboxEvent {
  const headers: PublishHeaders = {};
  propagation.inject(context.active(), headers);
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    data: event.data,
    headers,
    sentAt: null,
  };
}
