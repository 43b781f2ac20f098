/**
 * A closed loop: N workers, each sending one request at a time and the next as soon as the
 * answer is in, until the time is up. Requests in flight at the deadline are awaited, so
 * nothing is abandoned half way and the elapsed time covers every answer counted.
 */
import { summarize, type LoadSummary } from './latency.js';

export interface ClosedLoopOptions {
  workers: number;
  durationSeconds: number;
  /**
   * One request of `worker` (0-based), its `turn`-th (0-based). Resolves true for a success
   * (its time counts in the percentiles), false for a failure; a throw is a failure too.
   */
  once: (worker: number, turn: number) => Promise<boolean>;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoadSummary> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  const worker = async (index: number) => {
    for (let turn = 0; performance.now() < deadline; turn += 1) {
      const begin = performance.now();
      const succeeded = await options.once(index, turn).catch(() => false);
      if (succeeded) latencies.push(performance.now() - begin);
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, index) => worker(index)));
  return summarize(latencies, errors, (performance.now() - started) / 1000);
}
