/**
 * Hostile clients against the running ms-orders: the live status stream (server-sent events)
 * left mid-stream, checkout, cart, status and review bodies (16 KiB, 1 KiB), and the pages'
 * numeric parameters. The consumer's and the seller's orders, cart and reviews must not change.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostileWorld } from './support/hostile-world.js';
import { HOSTILE_NUMBERS, type NumericParam } from './support/numeric.js';
import {
  INVALID_UTF8,
  INVALID_UTF8_PERCENT,
  INVALID_UTF8_RAW,
  JSON_TYPE,
  depthWithin,
  jsonBytes,
  jsonFiller,
  nestedArrays,
  oversized,
  slowHeaderRows,
} from './support/payloads.js';
import { exchange, type RequestSpec } from '@marketshare/platform/testing';
import { PROMPT_MS, hostileTable } from './support/row-runner.js';
import { answer, at, cut, cutResponse, cutStream, refusedAsTooLarge, type Row } from './support/rows.js';

const CHECKOUT_LIMIT = 16 * 1024;
const CART_LIMIT = 1024;
/** The end of the first `status` event of the stream. */
const FIRST_EVENT = /data: [^\n]*\n\n/;
/** A heartbeat after the first event. */
const HEARTBEAT = /data: [^\n]*\n\n[\s\S]*: heartbeat\n\n/;

/** Once the client is gone, ms-orders serves no stream any more (orders_live_streams_open 0). */
async function streamsReleased(w: HostileWorld): Promise<void> {
  let open = '';
  for (let waited = 0; waited <= PROMPT_MS; waited += 100) {
    const metrics = await exchange(w.port('ms-orders'), { method: 'GET', target: '/metrics' }, PROMPT_MS);
    const text = metrics.kind === 'response' ? metrics.response.body.toString('utf8') : '';
    open = /^orders_live_streams_open(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 'missing';
    if (open === '0') return;
    await sleep(100);
  }
  throw new Error(`orders_live_streams_open is ${open} ${PROMPT_MS} ms after the client left`);
}

const asConsumer = (w: HostileWorld) => ({ authorization: `Bearer ${w.consumer.token}` });

const events =
  (headers: Record<string, string> = {}) =>
  (w: HostileWorld): RequestSpec => ({
    method: 'GET',
    target: `/api/orders/${w.orderId}/events`,
    headers: { ...asConsumer(w), accept: 'text/event-stream', ...headers },
  });
const checkout =
  (body: () => Buffer | string) =>
  (w: HostileWorld): RequestSpec => ({
    method: 'POST',
    target: '/api/orders/checkout',
    headers: { ...asConsumer(w), ...JSON_TYPE, 'idempotency-key': randomUUID() },
    body: body(),
  });
const review =
  (body: (w: HostileWorld) => Buffer | string) =>
  (w: HostileWorld): RequestSpec => ({
    method: 'POST',
    target: '/api/reviews',
    headers: { ...asConsumer(w), ...JSON_TYPE },
    body: body(w),
  });
/** Oversized bodies on a JSON endpoint of the consumer. */
const tooBig =
  (method: string, target: (w: HostileWorld) => string, limit: number, kind: 'chunked' | 'fixedLength') =>
  (w: HostileWorld) =>
    oversized(
      {
        method,
        target: target(w),
        headers: { ...asConsumer(w), ...JSON_TYPE, 'idempotency-key': randomUUID() },
      },
      limit,
      jsonFiller,
    )[kind]();
const cartItem = (w: HostileWorld): RequestSpec => ({
  method: 'PUT',
  target: `/api/cart/items/${w.productId}`,
  headers: { ...asConsumer(w), ...JSON_TYPE },
});
const checkoutPath = () => '/api/orders/checkout';
const get = (target: string) => (w: HostileWorld) => ({ method: 'GET', target, headers: asConsumer(w) });
const DEPTH = depthWithin(CHECKOUT_LIMIT);

const rows: Row[] = [
  // The live stream (a heartbeat every 250 ms keeps the service writing to the client that left).
  {
    name: 'event stream: the client leaves after the first event',
    request: events(),
    act: cutStream(FIRST_EVENT),
    also: streamsReleased,
  },
  {
    name: 'event stream: the client leaves after a heartbeat',
    request: events(),
    act: cutStream(HEARTBEAT),
    also: streamsReleased,
  },
  {
    name: 'event stream: the client leaves as the stream opens',
    request: events(),
    act: cutResponse(1),
    also: streamsReleased,
  },
  {
    name: 'event stream: the client leaves mid-headers',
    request: events(),
    act: cut(at.halfHeaders),
    also: streamsReleased,
  },
  {
    name: 'event stream: the client leaves after the first event',
    viaGateway: true,
    request: events(),
    act: cutStream(FIRST_EVENT),
    also: streamsReleased,
  },
  ...HOSTILE_NUMBERS.map((value) => ({
    name: `event stream with Last-Event-ID: ${value} → 400 naming headers.last-event-id`,
    request: events({ 'last-event-id': value }),
    act: answer(400, 'headers.last-event-id'),
  })),
  // Bodies over the limits.
  {
    name: 'chunked body over 16 KiB on POST /api/orders/checkout → 413, then the same socket',
    request: tooBig('POST', checkoutPath, CHECKOUT_LIMIT, 'chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'fixed-length body over 16 KiB on POST /api/orders/checkout → 413, then the same socket',
    request: tooBig('POST', checkoutPath, CHECKOUT_LIMIT, 'fixedLength'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 16 KiB on POST /api/reviews → 413, then the same socket',
    request: tooBig('POST', () => '/api/reviews', CHECKOUT_LIMIT, 'chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 1 KiB on PUT /api/cart/items/{id} → 413, then the same socket',
    request: tooBig('PUT', (w) => `/api/cart/items/${w.productId}`, CART_LIMIT, 'chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 1 KiB on POST /api/orders/{id}/status → 413, then the same socket',
    request: tooBig('POST', (w) => `/api/orders/${w.orderId}/status`, CART_LIMIT, 'chunked'),
    act: refusedAsTooLarge(),
  },
  {
    name: 'chunked body over 16 KiB on POST /api/orders/checkout → 413, then the same socket',
    viaGateway: true,
    request: tooBig('POST', checkoutPath, CHECKOUT_LIMIT, 'chunked'),
    act: refusedAsTooLarge('4xx'),
  },
  // Bodies the client abandons, nested too deep, or not UTF-8.
  {
    name: 'checkout: the client leaves mid-body (Content-Length larger than sent)',
    request: checkout(() => '{"items":[]}'.padEnd(200, ' ')),
    act: cut(at.body(0.5)),
  },
  {
    name: 'checkout: the client leaves after the headers, before the body',
    request: checkout(() => '{}'),
    act: cut(at.headersEnd),
  },
  {
    name: `${DEPTH} nested JSON arrays as a checkout body → 400`,
    request: checkout(() => nestedArrays(DEPTH)),
    act: answer(400),
  },
  {
    name: `${DEPTH} nested JSON arrays as the checkout items → 400`,
    request: checkout(() => jsonBytes({ items: '@@NEST@@' }, { NEST: nestedArrays(DEPTH) })),
    act: answer(400),
  },
  {
    name: `${DEPTH} nested JSON arrays as a review body → 400`,
    request: review(() => nestedArrays(DEPTH)),
    act: answer(400),
  },
  // JSON numbers past the float range (JSON.parse makes them ±Infinity) in every numeric body field.
  {
    name: 'items.0.quantity: 1e309 in a checkout → 400 naming items.0.quantity',
    request: checkout(() =>
      jsonBytes({ items: [{ productId: randomUUID(), quantity: '@@N@@' }] }, { N: '1e309' }),
    ),
    act: answer(400, 'items.0.quantity'),
  },
  {
    name: 'quantity: 1e309 in PUT /api/cart/items/{id} → 400 naming quantity',
    request: (w) => ({ ...cartItem(w), body: jsonBytes({ quantity: '@@N@@' }, { N: '1e309' }) }),
    act: answer(400, 'quantity'),
  },
  {
    name: 'rating: -1e309 in a review → 400 naming rating',
    request: review((w) => jsonBytes({ productId: w.productId, rating: '@@N@@' }, { N: '-1e309' })),
    act: answer(400, 'rating'),
  },
  {
    name: 'invalid UTF-8 bytes in a review text → 400',
    request: review((w) =>
      jsonBytes({ productId: w.productId, rating: 5, text: 'Great @@BAD@@' }, { BAD: INVALID_UTF8 }),
    ),
    act: answer(400),
  },
  {
    name: 'invalid UTF-8 bytes in a JSON key of a checkout → 400',
    request: checkout(() => jsonBytes({ '@@BAD@@': [] }, { BAD: INVALID_UTF8 })),
    act: answer(400),
  },
  {
    name: 'invalid UTF-8 (percent-encoded) in the orders cursor → 400 naming query.cursor',
    request: get(`/api/orders?cursor=${INVALID_UTF8_PERCENT}`),
    act: answer(400, 'query.cursor'),
  },
  {
    name: 'invalid UTF-8 (percent-encoded) in the reviews productId → 400 naming query.productId',
    request: get(`/api/reviews?productId=${INVALID_UTF8_PERCENT}`),
    act: answer(400, 'query.productId'),
  },
  {
    name: 'invalid UTF-8 (percent-encoded) in an order id → 400 naming params.id',
    request: get(`/api/orders/${INVALID_UTF8_PERCENT}`),
    act: answer(400, 'params.id'),
  },
  {
    name: 'invalid UTF-8 (raw bytes) in an order id → 4xx',
    request: get(`/api/orders/${INVALID_UTF8_RAW}`),
    act: answer('4xx'),
  },
  {
    name: 'GET /api/orders?limit=Infinity → 400 naming query.limit',
    viaGateway: true,
    request: get('/api/orders?limit=Infinity'),
    act: answer(400, 'query.limit'),
  },
  // Leaving mid-response, and slow headers.
  {
    name: 'the client leaves mid-response (the OpenAPI document)',
    request: get('/api/orders/openapi.json'),
    act: cutResponse(64),
  },
  {
    name: 'the client leaves mid-response (a page of orders)',
    viaGateway: true,
    request: get('/api/orders?limit=100'),
    act: cutResponse(16),
  },
  ...slowHeaderRows((w) => ({ method: 'GET', target: `/api/orders/${w.orderId}`, headers: asConsumer(w) }), {
    status: 200,
  }),
];

const limit: Pick<NumericParam, 'name' | 'type' | 'minimum' | 'maximum'> = {
  name: 'limit',
  type: 'integer',
  minimum: 1,
  maximum: 100,
};
const numeric: NumericParam[] = [
  { path: '/api/orders', ...limit, as: 'consumer' },
  { path: '/api/reviews', ...limit, rest: (w) => ({ productId: w.productId }) },
  { path: '/api/reviews/mine', ...limit, as: 'consumer' },
];

hostileTable('ms-orders', { stores: ['orders'], apiName: 'orders', numeric }, rows);
