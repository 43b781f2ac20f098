/**
 * The fault suite (issue 12): a burst of registrations and checkouts on scarce stock, with
 * cancellations and sellers moving orders, meets one fault after another — kill -9 ms-email,
 * RabbitMQ cut off from ms-orders, ms-products stopped, kill -9 ms-orders mid-checkout, ms-auth
 * restarted — on a stack of its own. Afterwards: no oversold unit and stock conserved, every
 * order valid, reservations exactly those of live orders, one email per event, no 5xx but a 503
 * while a dependency was down, normal service within a bound after the last fault.
 *
 * Sizes from FAULT_* (e2e/faults/config.ts): the defaults are the short run of `npm test`,
 * `npm run test:faults` runs the longer one. The detectors themselves are tested without a
 * stack in scripts/test/faults-invariants.test.ts.
 */
import assert from 'node:assert/strict';
import { waitFor } from '@marketshare/platform/testing';
import { OrdersWorld } from './support/orders-world.js';
import { closeWorld, type World } from './support/world.js';
import { Burst } from './faults/burst.js';
import { keepEvidence } from './faults/diagnostics.js';
import { faultConfig } from './faults/config.js';
import { startFaultWorld } from './faults/fault-stack.js';
import { FaultPlan } from './faults/fault-plan.js';
import { Recorder } from './faults/recorder.js';
import { collectRun, settledVerdict, summarize } from './faults/verdict.js';

const log = (line: string) => process.stdout.write(`      [faults] ${line}\n`);

describe('fault suite: a checkout burst through kills, cuts and restarts', function () {
  const config = faultConfig();
  // Every wait inside ends by readiness or by its own bound; this only stops a hang.
  this.timeout(1_800_000);
  let w: World | undefined;
  let evidence: { recorder: Recorder; plan: FaultPlan } | undefined;
  let failed = false;

  before(async function () {
    this.timeout(300_000);
    w = await startFaultWorld();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async function () {
    this.timeout(120_000);
    if (!w) return;
    if (failed && evidence) {
      const { recorder, plan } = evidence;
      const kept = await keepEvidence(w, { responses: recorder.responses, windows: plan.windows }).catch(
        (error: unknown) => `nowhere (${String(error)})`,
      );
      log(`logs and evidence of the failed run kept in ${kept}`);
    }
    await closeWorld(w);
  });

  it('keeps stock, orders, reservations and emails right, and recovers in time', async function () {
    assert.ok(w);
    const world = w;
    const recorder = new Recorder(world);
    const burst = new Burst(world, recorder, config);
    const plan = new FaultPlan(world, recorder, config.checkoutsBetweenFaults, log);
    evidence = { recorder, plan };
    const began = Date.now();
    await burst.prepare();
    burst.start();
    let recoveredAfterMs = Number.POSITIVE_INFINITY;
    try {
      await plan.run(config.rounds);
      // Normal service, still under load: every service ready and routed, and a checkout accepted.
      const seller = burst.sellers[0];
      const consumer = burst.consumers[0];
      assert.ok(seller && consumer);
      await waitFor(() => plan.allReady(), {
        timeoutMs: config.recoveryBoundMs * 3,
        what: 'every service ready',
      });
      await plan.gatewaySeesAllUp(config.recoveryBoundMs * 3);
      const productId = await burst.createProduct(seller, 5);
      await waitFor(async () => (await burst.checkout(consumer, [{ productId, quantity: 1 }])).length > 0, {
        timeoutMs: config.recoveryBoundMs * 3,
        intervalMs: 250,
        what: 'a checkout accepted after the last fault',
      });
      recoveredAfterMs = Date.now() - plan.lastFaultLiftedAt;
    } finally {
      await burst.stop();
    }
    const checkouts = recorder.responses.filter((response) => response.operation === 'checkout');
    const byStatus = new Map<number, number>();
    for (const { status } of checkouts) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    log(
      `burst of ${Math.round((Date.now() - began) / 1000)} s: ${burst.accounts.length} accounts, ` +
        `${checkouts.length} checkouts (${[...byStatus].map(([status, n]) => `${n}×${status}`).join(', ')}), ` +
        `${burst.acknowledgedOrders.length} orders, ${burst.acknowledgedMoves.length} moves`,
    );
    for (const window of plan.windows) log(`${window.name}: away ${window.end - window.start} ms`);
    log(`normal service ${recoveredAfterMs} ms after the last fault was lifted`);
    assert.ok(
      recoveredAfterMs <= config.recoveryBoundMs,
      `normal service took ${recoveredAfterMs} ms after the last fault, bound ${config.recoveryBoundMs} ms`,
    );

    // Tokens kept verifying while ms-auth was away: authenticated requests were answered.
    const authWindows = plan.windows.filter((window) => window.service === 'ms-auth');
    assert.equal(authWindows.length, config.rounds);
    for (const authWindow of authWindows) {
      const verifiedMeanwhile = recorder.responses.filter(
        (response) =>
          response.operation !== 'register' &&
          response.status >= 200 &&
          response.status < 300 &&
          response.startedAt >= authWindow.start &&
          response.endedAt <= authWindow.end,
      );
      assert.ok(verifiedMeanwhile.length > 0, 'no authenticated request was answered while ms-auth was away');
    }

    const o = new OrdersWorld(world);
    await waitFor(async () => (await o.outboxBacklog()) === 0, {
      timeoutMs: config.settleMs,
      intervalMs: 500,
      what: "ms-orders' outbox to drain",
    });
    const { violations, data, settledAfterMs } = await settledVerdict(
      () => collectRun(world, recorder, burst, plan.windows),
      config.settleMs,
    );
    log(
      `settled after ${settledAfterMs} ms: ${data.orders.length} orders, ${data.reservations.length} reservations, ` +
        `${data.emails.length} emails, ${data.responses.length} responses checked`,
    );
    assert.ok(
      Object.values(violations).every((list) => list.length === 0),
      `invariants broken:\n${summarize(violations)}`,
    );
    assert.ok(
      data.orders.some((order) => order.status === 'OUT_OF_STOCK'),
      'stock was scarce enough that some checkouts ran out of it',
    );
  });
});
