import { randomUUID } from 'node:crypto';
import type { PaymentDecision, PaymentProvider, PaymentRequest } from './ports.js';

/** Approves each payment with a fixed probability, as the original system did. */
export class SimulatedPaymentProvider implements PaymentProvider {
  constructor(
    private readonly approvalProbability: number,
    private readonly random: () => number = Math.random,
  ) {}

  async authorize(_request: PaymentRequest): Promise<PaymentDecision> {
    if (this.random() < this.approvalProbability) return { approved: true, reference: `sim_${randomUUID()}` };
    return { approved: false, reason: 'declined_by_simulator' };
  }
}
