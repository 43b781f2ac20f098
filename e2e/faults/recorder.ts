/**
 * Every request of the fault suite goes through here: sent through the gateway with a fresh
 * token (the run outlasts a token's five minutes), and recorded with when it was sent and
 * answered, so the answers can be checked against the fault windows afterwards.
 */
import type { JsonResponse } from '@marketshare/platform/testing';
import { field } from '../support/gateway-client.js';
import type { World } from '../support/world.js';
import type { Operation, RecordedResponse } from './model.js';

export interface Actor {
  id: string;
  role: 'seller' | 'consumer';
}

/** A request with no answer: status 0, with what went wrong. */
export interface Answer extends JsonResponse {
  ok: boolean;
}

/** Generous: a checkout on a loaded two-core machine, in the middle of an outage, is slow. */
const REQUEST_TIMEOUT_MS = 30_000;

export class Recorder {
  readonly responses: RecordedResponse[] = [];
  /** Requests sent and not answered yet, by operation (a kill "mid-checkout" waits for one). */
  private readonly inFlight = new Map<Operation, number>();

  constructor(private readonly w: World) {}

  inFlightCount(operation: Operation): number {
    return this.inFlight.get(operation) ?? 0;
  }

  /** Answers counted since the start, of one operation and optionally one status. */
  count(operation: Operation, status?: number, since = 0): number {
    return this.responses.filter(
      (response) =>
        response.operation === operation &&
        response.startedAt >= since &&
        (status === undefined || response.status === status),
    ).length;
  }

  async call(
    operation: Operation,
    path: string,
    init: { actor?: Actor; method?: string; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const token = init.actor ? this.w.signer.sign({ sub: init.actor.id, role: init.actor.role }) : undefined;
    const startedAt = Date.now();
    this.inFlight.set(operation, this.inFlightCount(operation) + 1);
    let answer: Answer;
    try {
      const response = await this.w.gateway.call(path, {
        method: init.method,
        token,
        json: init.json,
        headers: init.headers,
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
      answer = { ...response, ok: response.status < 400 };
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      answer = { status: 0, headers: new Headers(), body: undefined, text, ok: false };
    } finally {
      this.inFlight.set(operation, this.inFlightCount(operation) - 1);
    }
    const code = answer.status === 0 ? answer.text : String(field(answer.body, 'code') ?? '');
    this.responses.push({
      operation,
      path: path.split('?')[0] ?? path,
      startedAt,
      endedAt: Date.now(),
      status: answer.status,
      code,
    });
    return answer;
  }
}
