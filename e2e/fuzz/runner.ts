/**
 * Runs generated requests against the stack as a fast-check property over batches: each
 * request's answer meets the oracles, and (in a snapshot phase) a batch whose every write was
 * refused leaves the cast's data as it was. On a failure fast-check shrinks the batch to the
 * fewest, simplest requests that still fail; the report holds the seed, those requests and
 * the answer, ready to become a regression row.
 */
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describeOutcome, exchange, type Outcome } from '@marketshare/platform/testing';
import { violation } from './oracles.js';
import { describeRequest, type FuzzRequest } from './request-model.js';

export interface Transport {
  /** The port a service's requests go to: the gateway, or the service itself when unrouted. */
  portOf(service: string): number;
  authorizationOf(request: FuzzRequest): string | undefined;
}

export interface PhaseOptions {
  name: string;
  requests: fc.Arbitrary<FuzzRequest>;
  /** Requests to send in all (the last batch may go a little over). */
  budget: number;
  seed: number;
  batchSize: number;
  concurrency: number;
  transport: Transport;
  /** Before every batch (tokens kept fresh). */
  beforeBatch?: () => Promise<void>;
  /** Set for a phase whose batches are checked to change nothing when every write was refused. */
  snapshot?: () => Promise<unknown>;
}

export interface PhaseReport {
  name: string;
  seed: number;
  sent: number;
  batches: number;
  comparedBatches: number;
  ms: number;
  statuses: Map<string, number>;
  mutations: Map<string, number>;
  operations: Map<string, number>;
  /** Set when a property failed: seed, shrunk requests, the answer. */
  failure?: string;
}

class OracleViolation extends Error {}

/** At most `limit` requests in any `windowMs`: the gateway rate-limits the token endpoint per IP. */
export class RateGate {
  private readonly sent: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async pass(): Promise<void> {
    for (;;) {
      const now = Date.now();
      while (this.sent.length > 0 && (this.sent[0] ?? now) <= now - this.windowMs) this.sent.shift();
      if (this.sent.length < this.limit) break;
      await sleep((this.sent[0] ?? now) + this.windowMs - now + 5);
    }
    this.sent.push(Date.now());
  }

  /** Resolves once nothing passed within the window: the next file starts with the limit unused. */
  async drained(): Promise<void> {
    const last = this.sent.at(-1);
    if (last !== undefined) await sleep(Math.max(0, last + this.windowMs - Date.now()));
  }
}

// The gateway allows 60 token requests per 10 s; the fuzzer keeps clear of that edge.
export const tokenGate = new RateGate(40, 11_000);

/** Enough to bring a batch down to its one or two guilty requests, and bounded in time. */
const MAX_SHRINK_RUNS = 60;

const SAFE_METHODS = new Set(['GET', 'OPTIONS', 'TRACE']);

/** A body over 1 MiB takes a while to drain, a login a bcrypt hash: generous, still bounded. */
const ANSWER_TIMEOUT_MS = 20_000;

async function send(request: FuzzRequest, transport: Transport): Promise<Outcome> {
  const headers = { ...request.headers };
  const authorization = transport.authorizationOf(request);
  if (authorization !== undefined && headers['authorization'] === undefined)
    headers['authorization'] = authorization;
  if (request.target.startsWith('/api/auth/token')) await tokenGate.pass();
  return exchange(
    transport.portOf(request.service),
    {
      method: request.method,
      target: request.target,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.chunked ? { chunkBytes: 64 * 1024 } : {}),
    },
    ANSWER_TIMEOUT_MS,
  );
}

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      const item = items[index];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Sends one batch and checks it; throws an OracleViolation saying what went wrong. */
async function runBatch(requests: readonly FuzzRequest[], options: PhaseOptions, report: PhaseReport) {
  await options.beforeBatch?.();
  const before = options.snapshot ? await options.snapshot() : undefined;
  let wrote = false;
  await eachLimited(requests, options.concurrency, async (request) => {
    const outcome = await send(request, options.transport);
    report.sent += 1;
    const status = outcome.kind === 'response' ? outcome.response.status : 0;
    bump(report.statuses, outcome.kind === 'response' ? String(status) : outcome.kind);
    bump(report.mutations, request.mutation);
    bump(report.operations, `${request.service} ${request.operation}`);
    if (status >= 200 && status < 300 && !SAFE_METHODS.has(request.method)) wrote = true;
    const wrong = violation(request, outcome);
    if (wrong) {
      throw new OracleViolation(
        `${wrong}\n${describeRequest(request)}\n  answer: ${describeOutcome(outcome)}`,
      );
    }
  });
  report.batches += 1;
  if (!options.snapshot || wrote) return;
  report.comparedBatches += 1;
  const after = await options.snapshot();
  if (!isDeepStrictEqual(before, after)) {
    throw new OracleViolation(
      `refused requests changed stored data\n  before: ${JSON.stringify(before)}\n  after:  ${JSON.stringify(after)}`,
    );
  }
}

/** The first request of a failed batch that fails on its own, replayed alone: the regression row. */
async function failingAlone(requests: readonly FuzzRequest[], options: PhaseOptions, report: PhaseReport) {
  for (const request of requests) {
    try {
      await runBatch([request], options, report);
    } catch (error) {
      return `fails on its own:\n${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return 'no request fails on its own: the batch fails only together (see above)';
}

export async function runPhase(options: PhaseOptions): Promise<PhaseReport> {
  const report: PhaseReport = {
    name: options.name,
    seed: options.seed,
    sent: 0,
    batches: 0,
    comparedBatches: 0,
    ms: 0,
    statuses: new Map(),
    mutations: new Map(),
    operations: new Map(),
  };
  const started = performance.now();
  // Once a batch failed, fast-check replays smaller ones to shrink it: past the budget, too,
  // but only so many (a candidate that passes ends that line of shrinking).
  let shrinking = false;
  let shrinkRuns = 0;
  const batch = fc.array(options.requests, { minLength: 1, maxLength: options.batchSize, size: 'max' });
  const property = fc.asyncProperty(batch, async (requests) => {
    if (!shrinking && report.sent >= options.budget) return;
    if (shrinking && (shrinkRuns += 1) > MAX_SHRINK_RUNS) return;
    try {
      await runBatch(requests, options, report);
    } catch (error) {
      shrinking = true;
      throw error;
    }
  });
  // Each run is one batch of 1..batchSize requests: rounds (seeds derived from the seed) go on
  // until the budget is spent, and the budget check above ends the last one early.
  for (let round = 0; report.sent < options.budget && !report.failure; round += 1) {
    const seed = options.seed + round;
    const details = await fc.check(property, {
      seed,
      numRuns: Math.ceil((options.budget - report.sent) / options.batchSize) * 2,
    });
    if (details.failed) {
      const [requests = []] = details.counterexample ?? [];
      const alone = await failingAlone(requests, options, report);
      report.failure = `${failureReport(options.name, seed, details)}\n${alone}`;
    }
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}

function failureReport(phase: string, seed: number, details: fc.RunDetails<[FuzzRequest[]]>): string {
  const [requests = []] = details.counterexample ?? [];
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return [
    `fuzz phase "${phase}" failed at fast-check seed ${seed} (path ${details.counterexamplePath ?? '?'}); the run's FUZZ_SEED reproduces it`,
    `shrunk to ${requests.length} request(s) after ${details.numShrinks} shrinks:`,
    ...requests.map((request) => describeRequest(request)),
    `violation: ${error}`,
  ].join('\n');
}
