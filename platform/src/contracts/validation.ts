import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Type } from '@sinclair/typebox';
import { createEnvelope, envelopeSchema, EventEnvelopeSchema } from './envelope.js';
import type { EventEnvelope } from './envelope.js';
import { EventPayloadSchemas, EventTypes, isKnownEventType } from './events.js';
import type { EventPayloads, EventType } from './events.js';

/** Thrown when an envelope or payload does not match its contract; `details` lists every problem. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(
    message: string,
    readonly details: string[],
  ) {
    super(`${message}: ${details.join('; ')}`);
  }
}

/** An envelope whose type and payload were checked against the contract of K. */
export type TypedEventEnvelope<K extends EventType> = EventEnvelope<EventPayloads[K]> & { type: K };

// The few formats the contracts use, defined here rather than through ajv-formats so the
// validator does not depend on which copy of ajv a hoisted ajv-formats resolves.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('uuid', UUID);
ajv.addFormat('date-time', (value: string) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
ajv.addFormat('email', EMAIL);
ajv.addFormat('uri', (value: string) => URL.canParse(value));

const envelopeValidator = ajv.compile<EventEnvelope<unknown>>(EventEnvelopeSchema);

function compileFor<K extends EventType>(type: K): ValidateFunction<TypedEventEnvelope<K>> {
  return ajv.compile<TypedEventEnvelope<K>>(envelopeSchema(EventPayloadSchemas[type], Type.Literal(type)));
}

const eventValidators: { [K in EventType]: ValidateFunction<TypedEventEnvelope<K>> } = {
  [EventTypes.AccountCreated]: compileFor(EventTypes.AccountCreated),
  [EventTypes.AccountPasswordResetRequested]: compileFor(EventTypes.AccountPasswordResetRequested),
  [EventTypes.OrderCreated]: compileFor(EventTypes.OrderCreated),
  [EventTypes.OrderStatusChanged]: compileFor(EventTypes.OrderStatusChanged),
  [EventTypes.ReviewCreated]: compileFor(EventTypes.ReviewCreated),
  [EventTypes.ProductImageUploaded]: compileFor(EventTypes.ProductImageUploaded),
  [EventTypes.AuthTokenRevoked]: compileFor(EventTypes.AuthTokenRevoked),
  [EventTypes.AuthSessionRevoked]: compileFor(EventTypes.AuthSessionRevoked),
  [EventTypes.AuthSubjectRevoked]: compileFor(EventTypes.AuthSubjectRevoked),
};

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}`);
}

/** Checks the envelope shape only (any type, payload unchecked). */
export function validateEnvelope(value: unknown): EventEnvelope<unknown> {
  if (envelopeValidator(value)) return value;
  throw new EventValidationError('invalid event envelope', describe(envelopeValidator.errors));
}

/**
 * Checks an envelope against the contract of `type` and returns it typed.
 * Throws EventValidationError when the envelope is of another type or does not match.
 */
export function validateEvent<K extends EventType>(type: K, envelope: unknown): TypedEventEnvelope<K> {
  const validator = eventValidators[type];
  if (validator(envelope)) return envelope;
  throw new EventValidationError(`invalid ${type} event`, describe(validator.errors));
}

/** Checks the envelope, and the payload too when its type has a contract; other types pass. */
export function validateKnownEvent(value: unknown): EventEnvelope<unknown> {
  const envelope = validateEnvelope(value);
  if (isKnownEventType(envelope.type)) validateEvent(envelope.type, envelope);
  return envelope;
}

/** A new envelope (fresh uuid, now) whose payload is checked against its contract. */
export function newEnvelope<K extends EventType>(
  type: K,
  data: EventPayloads[K],
  occurredAt?: Date,
): TypedEventEnvelope<K> {
  return validateEvent(type, createEnvelope(type, data, occurredAt));
}
