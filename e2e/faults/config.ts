/**
 * The fault suite's size, from FAULT_* variables. The defaults are the short run inside
 * `npm test`; FAULT_PROFILE=long (what `npm run test:faults` sets) is the longer setting, and
 * each FAULT_* variable overrides either.
 */
export interface FaultConfig {
  /** Consumers registered before the faults start. */
  consumers: number;
  /** Consumers registering during the faults (they shop as soon as they are in). */
  registrations: number;
  sellers: number;
  /** Products per seller, each with `stock` units: scarce, so checkouts run out. */
  productsPerSeller: number;
  stock: number;
  /** Shoppers at once (bounded concurrency): each a loop of checkouts and cancellations. */
  shoppers: number;
  /** Times the whole fault sequence is run, one after the other. */
  rounds: number;
  /** Checkouts answered between one fault and the next, so every fault meets load. */
  checkoutsBetweenFaults: number;
  /** Safety bound on the whole burst. */
  maxCheckouts: number;
  /** Share of a shopper's turns spent cancelling one of its received orders. */
  cancelShare: number;
  /** Normal service (every service ready, a checkout accepted) within this after the last fault. */
  recoveryBoundMs: number;
  /** How long the sweeps get to settle every reservation after the burst. */
  settleMs: number;
}

const SHORT: FaultConfig = {
  consumers: 10,
  registrations: 4,
  sellers: 2,
  productsPerSeller: 3,
  stock: 12,
  shoppers: 4,
  rounds: 1,
  checkoutsBetweenFaults: 6,
  maxCheckouts: 500,
  cancelShare: 0.2,
  recoveryBoundMs: 30_000,
  // A hold lasts RESERVATION_HOLD_MINUTES (1, its minimum), then a sweep pass: 150 s is ample.
  settleMs: 150_000,
};

const LONG: FaultConfig = {
  ...SHORT,
  consumers: 40,
  registrations: 30,
  sellers: 4,
  productsPerSeller: 4,
  stock: 30,
  shoppers: 8,
  rounds: 3,
  checkoutsBetweenFaults: 40,
  maxCheckouts: 5_000,
};

const KEYS: Record<keyof FaultConfig, string> = {
  consumers: 'FAULT_CONSUMERS',
  registrations: 'FAULT_REGISTRATIONS',
  sellers: 'FAULT_SELLERS',
  productsPerSeller: 'FAULT_PRODUCTS_PER_SELLER',
  stock: 'FAULT_STOCK',
  shoppers: 'FAULT_SHOPPERS',
  rounds: 'FAULT_ROUNDS',
  checkoutsBetweenFaults: 'FAULT_CHECKOUTS_BETWEEN_FAULTS',
  maxCheckouts: 'FAULT_MAX_CHECKOUTS',
  cancelShare: 'FAULT_CANCEL_SHARE',
  recoveryBoundMs: 'FAULT_RECOVERY_BOUND_MS',
  settleMs: 'FAULT_SETTLE_MS',
};

export function faultConfig(env: NodeJS.ProcessEnv = process.env): FaultConfig {
  const base = env['FAULT_PROFILE'] === 'long' ? LONG : SHORT;
  const config = { ...base };
  // Object.entries loses the key type; KEYS is keyed by FaultConfig, so the cast is exact.
  for (const [key, name] of Object.entries(KEYS) as [keyof FaultConfig, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw} is not a non-negative number`);
    config[key] = value;
  }
  return config;
}
