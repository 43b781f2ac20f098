export { OUTBOX_MIGRATION_SQL, PG_OUTBOX_MIGRATION_SQL, PROCESSED_EVENTS_MIGRATION_SQL } from './schema.js';
export { enqueueEvent, enqueuePgEvent } from './enqueue.js';
export { OutboxRelay } from './relay.js';
export type { OutboxRelayOptions, OutboxSource } from './relay.js';
export { mysqlOutboxStore } from './mysql-store.js';
export { pgOutboxStore } from './pg-store.js';
export type { ClaimedBatch, ClaimedOutboxRow, OutboxBacklog, OutboxStore } from './store.js';
export { mysqlIdempotencyStore } from './idempotency.js';
