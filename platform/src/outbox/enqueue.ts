import { context, propagation } from '@opentelemetry/api';
import type { Connection } from 'mysql2/promise';
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
  const carrier: PublishHeaders = { ...headers };
  propagation.inject(context.active(), carrier);
  await connection.execute(
    'INSERT INTO outbox (id, routing_key, envelope, headers, created_at) VALUES (?, ?, ?, ?, NOW(3))',
    [envelope.id, envelope.type, JSON.stringify(envelope), JSON.stringify(carrier)],
  );
}
