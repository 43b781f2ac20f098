import { randomUUID } from 'node:crypto';
import type { PaymentDecision, PaymentProvider, PaymentRequest } from './ports.js';

export interface SimulatedPaymentOptions {
  /** Each payment within the credit limit is approved with this probability (0..1). */
  approvalProbability: number;
  /**
   * The most, in minor units, a buyer may pay for one order, as a card issuer's credit limit
   * would: a larger payment is always declined (`credit_limit_exceeded`). Undefined: no limit.
   */
  creditLimitMinor?: number;
  random?: () => number;
}

/**
 * Approves each payment with a fixed probability, as the original system did, within an
 * optional per-order credit limit: a deterministic decline for end-to-end traffic and demos.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  private readonly random: () => number;

  constructor(private readonly options: SimulatedPaymentOptions) {
    this.random = options.random ?? Math.random;
  }

  async authorize(request: PaymentRequest): Promise<PaymentDecision> {
    const limit = this.options.creditLimitMinor;
    if (limit !== undefined && request.amountMinor > limit)
      return { approved: false, reason: 'credit_limit_exceeded' };
    if (this.random() < this.options.approvalProbability)
      return { approved: true, reference: `sim_${randomUUID()}` };
    return { approved: false, reason: 'declined_by_simulator' };
  }
}
