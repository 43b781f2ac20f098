/**
 * An open loop: requests sent on a fixed schedule (one every 1/rate s, from the start),
 * whether or not earlier ones have answered, and each timed from when it was *meant* to be
 * sent. A closed loop (or autocannon's rate limit over a fixed set of connections) waits for
 * answers before sending more, so a slow spell delays the requests that would have measured
 * it ("coordinated omission"); here a stall shows up in the latency of every request
 * scheduled during it, as a user arriving then would see it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize, type LoadSummary } from './latency.js';

export interface OpenLoopOptions {
  /** Requests per second offered, whatever the answers. */
  ratePerSecond: number;
  durationSeconds: number;
  /** The n-th request (0-based); resolves true for a success, false (or a throw) for a failure. */
  once: (index: number) => Promise<boolean>;
}

export interface OpenLoopSummary extends LoadSummary {
  offeredPerSecond: number;
  scheduled: number;
  /** How late the generator itself sent requests (ms after their intended time): its own health. */
  sendLagMs: { p99: number; max: number };
  /** Most requests in flight at once: grows when the server falls behind the offered rate. */
  maxInFlight: number;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopSummary> {
  const interval = 1000 / options.ratePerSecond;
  const total = Math.floor(options.ratePerSecond * options.durationSeconds);
  const latencies: number[] = [];
  const lags: number[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const started = performance.now();
  const send = (index: number, intended: number) => {
    lags.push(performance.now() - intended);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    pending.push(
      options
        .once(index)
        .catch(() => false)
        .then((succeeded) => {
          inFlight -= 1;
          // From the intended send time: queueing in the generator counts against the result.
          if (succeeded) latencies.push(performance.now() - intended);
          else errors += 1;
        }),
    );
  };
  for (let next = 0; next < total;) {
    const now = performance.now();
    // Everything due is sent now; a timer that woke late sends the backlog at once.
    while (next < total && started + next * interval <= now) {
      send(next, started + next * interval);
      next += 1;
    }
    if (next < total) await sleep(Math.max(0, started + next * interval - performance.now()));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  const sortedLags = lags.sort((a, b) => a - b);
  const lagAt = (fraction: number) =>
    Math.round((sortedLags[Math.max(0, Math.ceil(fraction * sortedLags.length) - 1)] ?? 0) * 100) / 100;
  return {
    ...summarize(latencies, errors, seconds),
    offeredPerSecond: Math.round(options.ratePerSecond * 10) / 10,
    scheduled: total,
    sendLagMs: { p99: lagAt(0.99), max: lagAt(1) },
    maxInFlight,
  };
}
