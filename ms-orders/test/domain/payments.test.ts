import assert from 'node:assert/strict';
import { SimulatedPaymentProvider } from '../../src/domain/payments.js';
import type { PaymentRequest } from '../../src/domain/ports.js';

const payment = (amountMinor: number): PaymentRequest => ({
  orderId: 'order-1',
  consumerId: 'consumer-1',
  amountMinor,
  currency: 'EUR',
});

describe('ms-orders payment simulator', () => {
  it('approves with its probability when no credit limit is set', async () => {
    const draws = [0.2, 0.95];
    const simulator = new SimulatedPaymentProvider({
      approvalProbability: 0.9,
      random: () => draws.shift() ?? 0,
    });
    const approved = await simulator.authorize(payment(1_000_000_000));
    assert.equal(approved.approved, true);
    assert.match(approved.approved ? approved.reference : '', /^sim_/);
    assert.deepEqual(await simulator.authorize(payment(100)), {
      approved: false,
      reason: 'declined_by_simulator',
    });
  });

  it('declines every payment above the credit limit, and only those, whatever the probability', async () => {
    const simulator = new SimulatedPaymentProvider({ approvalProbability: 1, creditLimitMinor: 10_000 });
    assert.equal((await simulator.authorize(payment(10_000))).approved, true, 'the limit itself is allowed');
    assert.deepEqual(await simulator.authorize(payment(10_001)), {
      approved: false,
      reason: 'credit_limit_exceeded',
    });
    const broke = new SimulatedPaymentProvider({ approvalProbability: 1, creditLimitMinor: 0 });
    assert.equal((await broke.authorize(payment(0))).approved, true);
    assert.equal((await broke.authorize(payment(1))).approved, false);
  });
});
