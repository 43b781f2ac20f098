export * from './events.js';
export { EventEnvelopeSchema, createEnvelope, envelopeSchema } from './envelope.js';
export type { EventEnvelope } from './envelope.js';
export {
  EventValidationError,
  newEnvelope,
  validateEnvelope,
  validateEvent,
  validateKnownEvent,
} from './validation.js';
export type { TypedEventEnvelope } from './validation.js';
