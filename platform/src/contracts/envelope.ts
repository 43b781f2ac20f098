import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';

/** What travels on the wire for every domain event. */
export interface EventEnvelope<T = unknown> {
  /** uuid; also the AMQP messageId and the idempotency key of consumers */
  id: string;
  type: string;
  /** ISO 8601 instant the fact happened (not when it was published) */
  occurredAt: string;
  data: T;
}

/** The envelope schema around a payload schema; `type` narrows the envelope to one event type. */
export function envelopeSchema<T extends TSchema, Kind extends TSchema>(data: T, type: Kind) {
  return Type.Object({
    id: Type.String({ format: 'uuid' }),
    type,
    occurredAt: Type.String({ format: 'date-time' }),
    data,
  });
}

/** The envelope with its payload left open: what a consumer can check before knowing the type. */
export const EventEnvelopeSchema = envelopeSchema(Type.Unknown(), Type.String({ minLength: 1 }));

export function createEnvelope<T>(type: string, data: T, occurredAt: Date = new Date()): EventEnvelope<T> {
  return { id: randomUUID(), type, occurredAt: occurredAt.toISOString(), data };
}
