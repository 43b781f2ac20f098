/**
 * After the burst: collects the run's data again and again until every invariant holds (the
 * sweeps and retries finish what the faults interrupted) or the settle bound passes, then
 * gives a late duplicate a few seconds and checks once more. Answers the last violations.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { World } from '../support/world.js';
import type { Burst } from './burst.js';
import { emailsNow, ordersOf, productsNow, reservationsNow } from './collect.js';
import { checkAll } from './invariants.js';
import type { FaultWindow, RunData } from './model.js';
import type { Recorder } from './recorder.js';

/** After the last expected email, how long a duplicate is given to show up. */
const DUPLICATE_GRACE_MS = 3_000;
const POLL_INTERVAL_MS = 2_000;

export type Violations = Record<string, string[]>;

export async function collectRun(
  w: World,
  recorder: Recorder,
  burst: Burst,
  windows: readonly FaultWindow[],
): Promise<RunData> {
  const orders = (await Promise.all(burst.consumers.map((consumer) => ordersOf(recorder, consumer)))).flat();
  return {
    products: await productsNow(w, burst.initialStock),
    orders,
    reservations: await reservationsNow(w),
    emails: await emailsNow(w),
    accounts: [...burst.accounts],
    consumerEmails: burst.consumerEmails,
    // Copied: the collection's own requests are recorded too, and checked with the rest next time.
    responses: [...recorder.responses],
    windows: [...windows],
    acknowledgedOrders: [...burst.acknowledgedOrders],
    acknowledgedMoves: [...burst.acknowledgedMoves],
  };
}

const clean = (violations: Violations) => Object.values(violations).every((list) => list.length === 0);

/** Polls until the invariants hold or `settleMs` passes; the violations of the last look. */
export async function settledVerdict(
  collect: () => Promise<RunData>,
  settleMs: number,
): Promise<{ violations: Violations; data: RunData; settledAfterMs: number }> {
  const started = Date.now();
  for (;;) {
    let data = await collect();
    let violations = checkAll(data);
    if (clean(violations)) {
      await sleep(DUPLICATE_GRACE_MS);
      data = await collect();
      violations = checkAll(data);
    }
    const settledAfterMs = Date.now() - started;
    if (clean(violations) || settledAfterMs >= settleMs) return { violations, data, settledAfterMs };
    await sleep(POLL_INTERVAL_MS);
  }
}

/** At most `limit` lines of each invariant, for a readable assertion message. */
export function summarize(violations: Violations, limit = 15): string {
  return Object.entries(violations)
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => {
      const more = list.length > limit ? `\n    … and ${list.length - limit} more` : '';
      return `  ${name} (${list.length}):\n${list
        .slice(0, limit)
        .map((line) => `    ${line}`)
        .join('\n')}${more}`;
    })
    .join('\n');
}
