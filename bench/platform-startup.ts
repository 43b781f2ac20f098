/**
 * Warm `npm start`: the time `startStack` (what `npm start` runs after its install check, before
 * offering demo data) takes to bring every service to ready on a second start — everything
 * installed and built, the state dir, secrets and databases there from the first start.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICES, startStack, stopStack } from '../scripts/stack/index.js';
import { withBenchStack } from './lib/bench-stack.js';
import { memoryOf, type MemoryReading } from './lib/memory.js';
import { round } from './lib/measurement.js';

export interface WarmStart {
  /** The first start of a fresh state dir (may include a frontend build if it was stale). */
  firstSeconds: number;
  /** The second start, same state dir and ports, after a stop without purge: the figure. */
  warmSeconds: number;
  services: string[];
  skipped: string[];
  /** Every process's RSS a few seconds after the warm start, nothing asked of it yet. */
  idleMemory: MemoryReading;
}

export async function measureWarmStart(serviceEnv: Record<string, string>): Promise<WarmStart> {
  const services = SERVICES.map((spec) => spec.name);
  const startedAt = performance.now();
  return withBenchStack(
    { name: 'platform-start', services, serviceEnv, timeoutMs: 6 * 60_000 },
    async (first) => {
      const firstSeconds = round((performance.now() - startedAt) / 1000, 1);
      await stopStack(first.stateDir, { purge: false, log: () => undefined });
      const warmStarted = performance.now();
      const second = await startStack({
        stateDir: first.stateDir,
        env: process.env,
        ports: first.ports,
        dbPrefix: first.dbPrefix,
        vhost: first.vhost,
        services,
        serviceEnv,
        readyTimeoutMs: 120_000,
        log: () => undefined,
      });
      const warmSeconds = round((performance.now() - warmStarted) / 1000, 1);
      await sleep(5_000);
      return {
        firstSeconds,
        warmSeconds,
        services: second.services,
        skipped: second.skipped,
        idleMemory: memoryOf(second.stateDir),
      };
    },
  );
}
