import { context, propagation } from '@opentelemetry/api';
import type { Connection } from 'mysql2/promise';
import type { ClientBase } from 'pg';
import type { EventEnvelope } from '../contracts/index.js';
import type { PublishHeaders } from '../rabbit/index.js';

/**
 * Stores an event in the outbox. Call it with the connection of the caller's open
 * transaction, so the event exists exactly when the business change commits. The active
 * trace context is captured now, so the published message continues the request's trace
 * even though the relay sends it later from elsewhere. Routing key = the event's type.
 */
export async function enqueueEvent(
  connection: Connection,
  envelope: EventEnvelope<unknown>,
  headers: PublishHeaders = {},
): Promise<void> {
  const carrier = withTraceContext(headers);
  await connection.execute(
    'INSERT INTO outbox (id, routing_key, envelope, headers, created_at) VALUES (?, ?, ?, ?, NOW(3))',
    [envelope.id, envelope.type, JSON.stringify(envelope), JSON.stringify(carrier)],
  );
}

/**
 * enqueueEvent for PostgreSQL: call it with the client of the caller's open transaction
 * (e.g. inside inPgTransaction) on a database with PG_OUTBOX_MIGRATION_SQL applied.
 */
export async function enqueuePgEvent(
  client: ClientBase,
  envelope: EventEnvelope<unknown>,
  headers: PublishHeaders = {},
): Promise<void> {
  await client.query('INSERT INTO outbox (id, routing_key, envelope, headers) VALUES ($1, $2, $3, $4)', [
    envelope.id,
    envelope.type,
    JSON.stringify(envelope),
    JSON.stringify(withTraceContext(headers)),
  ]);
}

/** The given headers plus the active trace context (traceparent, tracestate). */
function withTraceContext(headers: PublishHeaders): PublishHeaders {
  const carrier: PublishHeaders = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}
