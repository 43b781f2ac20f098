/**
 * A hostile row is data: the request's exact bytes and what the client does with them (sends
 * all and reads the answer, stops at an offset and leaves, leaves mid-response or mid-stream,
 * stalls). The runner plays it against the running service, then checks what must hold after
 * every row (see ./row-checks.ts).
 */
import type { HostileWorld, Service } from './hostile-world.js';
import {
  describeOutcome,
  jsonOf,
  type Outcome,
  type RawResponse,
  type RequestSpec,
} from '@marketshare/platform/testing';

/** A byte offset into a request's bytes. */
export type Offset = (bytes: Buffer) => number;

const headEnd = (bytes: Buffer) => bytes.indexOf('\r\n\r\n') + 4;

function found(bytes: Buffer, marker: string, from: 'first' | 'last'): number {
  const index = from === 'first' ? bytes.indexOf(marker) : bytes.lastIndexOf(marker);
  if (index < 0) throw new Error(`the request has no ${JSON.stringify(marker)}`);
  return index;
}

export const at = {
  /** Halfway through the request line and headers. */
  halfHeaders: ((bytes) => Math.floor(headEnd(bytes) / 2)) satisfies Offset,
  /** Right after the blank line: headers complete, no body byte. */
  headersEnd: headEnd satisfies Offset,
  /** A fraction of the body. */
  body:
    (fraction: number): Offset =>
    (bytes) =>
      headEnd(bytes) + Math.floor((bytes.length - headEnd(bytes)) * fraction),
  /** Just before the last occurrence of a marker (e.g. the closing boundary). */
  before:
    (marker: string): Offset =>
    (bytes) =>
      found(bytes, marker, 'last'),
  /** In the middle of the first occurrence of a marker (e.g. a part's headers). */
  inside:
    (marker: string): Offset =>
    (bytes) =>
      found(bytes, marker, 'first') + Math.floor(marker.length / 2),
  /** All but the last n bytes. */
  allBut:
    (n: number): Offset =>
    (bytes) =>
      bytes.length - n,
};

export interface Expect {
  /** An exact status, or any 4xx. */
  status: number | '4xx';
  /** A problem+json answer naming this field in errors[].field (e.g. query.limit). */
  field?: string;
}

export type Act =
  /** Send everything, read the answer, then the next request on the same socket. */
  | { kind: 'answer'; expect: Expect; mayClose: boolean; times?: number }
  /** Send the bytes up to an offset and leave. */
  | { kind: 'cut'; at: Offset }
  /** Send everything, read the first bytes of the answer and leave. */
  | { kind: 'cut-response'; afterBytes: number }
  /** Send everything, read the event stream up to a marker and leave. */
  | { kind: 'cut-stream'; marker: RegExp }
  /** Send up to an offset, wait, then send the rest and read the answer, or leave. */
  | { kind: 'stall'; at: Offset; ms: number; then: { finish: Expect } | 'leave' };

export interface Row {
  name: string;
  /** Through the gateway instead of the service's own port. */
  viaGateway?: boolean;
  request: (w: HostileWorld) => RequestSpec;
  act: Act;
  /** What else must hold once the client is gone (throws when it does not). */
  also?: (w: HostileWorld) => Promise<void>;
}

/** The client reads a 4xx; `mayClose`: the server may close the socket instead of answering the next request. */
export const answer = (status: Expect['status'], field?: string, mayClose = false): Act => ({
  kind: 'answer',
  expect: field === undefined ? { status } : { status, field },
  mayClose,
});
/** An oversized body: a 413, then the next request answered or the connection closed (never hanging). */
export const refusedAsTooLarge = (status: Expect['status'] = 413): Act => answer(status, undefined, true);
/** The same request `times` times back to back (pipelined) on one socket: each gets the answer. */
export const burst = (times: number, status: Expect['status'], field?: string): Act => ({
  kind: 'answer',
  expect: field === undefined ? { status } : { status, field },
  mayClose: false,
  times,
});
export const cut = (offset: Offset): Act => ({ kind: 'cut', at: offset });
export const cutResponse = (afterBytes: number): Act => ({ kind: 'cut-response', afterBytes });
export const cutStream = (marker: RegExp): Act => ({ kind: 'cut-stream', marker });
export const stall = (offset: Offset, ms: number, then: { finish: Expect } | 'leave'): Act => ({
  kind: 'stall',
  at: offset,
  ms,
  then,
});

/** What a service answers to its normal request, and how to tell it is the normal answer. */
export interface NormalRequest {
  spec: RequestSpec;
  /** Undefined when the answer is the normal one, else what is wrong with it. */
  wrong(response: RawResponse): string | undefined;
}

const hasId = (id: string) => (response: RawResponse) => {
  const body = jsonOf(response);
  const seen = typeof body === 'object' && body !== null ? Reflect.get(body, 'id') : undefined;
  return response.status === 200 && seen === id
    ? undefined
    : `${response.status} ${response.body.toString().slice(0, 200)}`;
};

const hasField = (name: string) => (response: RawResponse) => {
  const body = jsonOf(response);
  const ok = response.status === 200 && typeof body === 'object' && body !== null && name in body;
  return ok ? undefined : `${response.status} ${response.body.toString().slice(0, 200)}`;
};

/** One ordinary read per service: its answer is known, and it stores nothing. */
export function normalRequest(w: HostileWorld, service: Service): NormalRequest {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  switch (service) {
    case 'ms-auth':
      return { spec: { method: 'GET', target: '/.well-known/jwks.json' }, wrong: hasField('keys') };
    case 'ms-users':
      return {
        spec: { method: 'GET', target: `/api/users/sellers/${w.seller.id}` },
        wrong: hasId(w.seller.id),
      };
    case 'ms-products':
      return { spec: { method: 'GET', target: `/api/products/${w.productId}` }, wrong: hasId(w.productId) };
    case 'ms-orders':
      return {
        spec: { method: 'GET', target: `/api/orders/${w.orderId}`, headers: bearer(w.consumer.token) },
        wrong: hasId(w.orderId),
      };
    case 'ms-email':
      return { spec: { method: 'GET', target: '/api/email/openapi.json' }, wrong: hasField('openapi') };
  }
}

/** Undefined when the outcome is the expected 4xx answer, else what is wrong with it. */
export function wrongAnswer(outcome: Outcome, expect: Expect): string | undefined {
  if (outcome.kind !== 'response') return `expected ${expect.status}, got ${describeOutcome(outcome)}`;
  const { status, headers } = outcome.response;
  const statusOk = expect.status === '4xx' ? status >= 400 && status < 500 : status === expect.status;
  if (!statusOk) return `expected ${expect.status}, got ${describeOutcome(outcome)}`;
  if (expect.field === undefined) return undefined;
  if (!/^application\/problem\+json/.test(headers['content-type'] ?? '')) {
    return `expected problem+json naming ${expect.field}, got ${headers['content-type'] ?? 'no content-type'}`;
  }
  const body = jsonOf(outcome.response);
  const errors = typeof body === 'object' && body !== null ? Reflect.get(body, 'errors') : undefined;
  const fields = Array.isArray(errors)
    ? errors.map((error: unknown) => Reflect.get(Object(error), 'field'))
    : [];
  return fields.includes(expect.field)
    ? undefined
    : `expected errors[].field ${expect.field}, got ${describeOutcome(outcome)}`;
}
