export { OUTBOX_MIGRATION_SQL, PROCESSED_EVENTS_MIGRATION_SQL } from './schema.js';
export { enqueueEvent } from './enqueue.js';
export { OutboxRelay } from './relay.js';
export type { OutboxRelayOptions } from './relay.js';
export { mysqlIdempotencyStore } from './idempotency.js';
