/**
 * The fault suite's own stack: it kills and restarts services, so it never shares the e2e
 * world's. Short sweeps and leases, so that every leftover of a fault is cleaned up within the
 * run and the invariants can be checked at its end.
 */
import { buildWorld, type World } from '../support/world.js';

export const FAULT_STACK_ENV: Record<string, string> = {
  REGISTER_RATE_LIMIT_PER_HOUR: '100000',
  // Some payments are declined: REJECTED orders, whose reservations are released at once.
  PAYMENT_APPROVAL_PROBABILITY: '0.85',
  // ms-products releases a hold ms-orders never committed after a minute (the setting's minimum).
  RESERVATION_HOLD_MINUTES: '1',
  RESERVATION_SWEEP_INTERVAL_MS: '2000',
  // ms-orders retries releases ms-products missed, and takes a checkout still running after
  // 20 s for dead (its process was killed): far longer than a live one (a few 2 s timeouts).
  RELEASE_SWEEP_INTERVAL_MS: '1000',
  STUCK_CHECKOUT_AFTER_MS: '20000',
  // A killed relay's lease on an outbox runs out in seconds, not half a minute.
  OUTBOX_LEASE_MS: '5000',
  // ms-email retries soon and long enough to outlast every outage of the run before dead-lettering.
  EMAIL_RETRY_DELAYS_MS: '500,1000,2000,4000',
  EMAIL_MAX_ATTEMPTS: '20',
};

/** Without the site: the suite talks to the API, and a two-core machine has little to spare. */
export const FAULT_STACK_SERVICES = ['ms-auth', 'ms-users', 'ms-products', 'ms-orders', 'ms-email'];

export function startFaultWorld(): Promise<World> {
  return buildWorld({
    serviceEnv: FAULT_STACK_ENV,
    rabbitProxyFor: ['ms-orders'],
    services: FAULT_STACK_SERVICES,
  });
}
