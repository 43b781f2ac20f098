/**
 * The most logins per second bcrypt allows on this machine: cores ÷ one comparison's time, at
 * the cost ms-users hashes with, measured in this process with ms-users' own PasswordHasher
 * (the bcrypt package, native, on libuv's thread pool) so nothing differs but the process.
 */
import os from 'node:os';
import { PasswordHasher } from '../../ms-users/src/domain/passwords.js';
import { UsersConfigSchema } from '../../ms-users/src/config.js';

export interface BcryptLimit {
  cost: number;
  /** Median of `runs` comparisons, one at a time, with nothing else of ours running. */
  compareMs: number;
  runs: number;
  cores: number;
  loginsPerSecond: number;
}

/** ms-users' cost: the stack's setting for it, else the service's own default. */
export function usersBcryptCost(usersEnv: Record<string, string> | undefined): number {
  const configured = Number(usersEnv?.['BCRYPT_COST']);
  return Number.isInteger(configured) && configured > 0
    ? configured
    : UsersConfigSchema.properties.BCRYPT_COST.default;
}

export async function measureBcryptLimit(cost: number, runs = 9): Promise<BcryptLimit> {
  const hasher = new PasswordHasher(cost);
  const password = 'bench-password-1234';
  const hash = await hasher.hash(password);
  await hasher.verifyOrDummy(password, hash); // warm-up, not counted
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    if (!(await hasher.verifyOrDummy(password, hash))) throw new Error('bcrypt: the password did not match');
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const compareMs = times[Math.floor(times.length / 2)] ?? Number.NaN;
  const cores = os.availableParallelism();
  return {
    cost,
    compareMs: Math.round(compareMs * 100) / 100,
    runs,
    cores,
    loginsPerSecond: Math.round((cores / (compareMs / 1000)) * 10) / 10,
  };
}
