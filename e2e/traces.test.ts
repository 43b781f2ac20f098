/**
 * Tracing end to end: one checkout through the gateway is one trace in the stack's Zipkin,
 * from ms-orders through ms-products (and its SQL), the outbox's RabbitMQ publish and
 * ms-email's consume to the SMTP send, every span parented within the trace; and the
 * checkout's histogram bucket in Prometheus carries that trace id as its exemplar.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import { field } from './support/gateway-client.js';
import { OrdersWorld, ordersIn } from './support/orders-world.js';
import { e2eWorld, type World } from './support/world.js';

/** A span as Zipkin's v2 API returns it. */
interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  name?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const serviceOf = (span: ZipkinSpan): string => span.localEndpoint?.serviceName ?? '';

const describeSpan = (span: ZipkinSpan): string =>
  `${serviceOf(span)} ${span.kind ?? 'INTERNAL'} ${span.name ?? ''} (${span.id} <- ${span.parentId ?? 'root'})`;

describe('end to end: one trace per checkout', function () {
  this.timeout(60_000);
  let w: World;
  let o: OrdersWorld;

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    o = new OrdersWorld(w);
  });

  async function traceOf(traceId: string): Promise<ZipkinSpan[]> {
    const response = await httpRequest(new URL(`/api/v2/trace/${traceId}`, w.stack.info.urls.zipkin).href);
    if (response.status === 404) return [];
    assert.equal(response.status, 200, response.text);
    return response.body as ZipkinSpan[]; // Zipkin's v2 trace: a list of spans
  }

  /** The trace ids of the exemplars Prometheus holds for `selector` over the last 10 minutes. */
  async function exemplarTraceIds(selector: string): Promise<string[]> {
    const end = Date.now() / 1000;
    const query = new URLSearchParams({ query: selector, start: String(end - 600), end: String(end) });
    const url = new URL(`/api/v1/query_exemplars?${query.toString()}`, w.stack.info.urls.prometheus);
    const response = await httpRequest(url.href);
    assert.equal(response.status, 200, response.text);
    const ids: string[] = [];
    const data = field(response.body, 'data');
    for (const series of Array.isArray(data) ? data : []) {
      const exemplars = field(series, 'exemplars');
      for (const exemplar of Array.isArray(exemplars) ? exemplars : []) {
        const id = field(field(exemplar, 'labels'), 'trace_id');
        if (typeof id === 'string') ids.push(id);
      }
    }
    return ids;
  }

  /**
   * The trace once `complete` holds for it. Every service exports in its own batches, so spans
   * arrive in any order; a timeout lists what did arrive.
   */
  async function traceOnce(
    traceId: string,
    complete: (spans: ZipkinSpan[]) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<ZipkinSpan[]> {
    return waitFor(
      async () => {
        const found = await traceOf(traceId);
        if (complete(found)) return found;
        throw new Error(`so far ${found.length} spans:\n${found.map(describeSpan).join('\n')}`);
      },
      { timeoutMs, intervalMs: 1_000, what: `${what} in trace ${traceId}` },
    );
  }

  it('follows a checkout from the gateway to the email in one trace', async () => {
    const [seller, consumer] = await Promise.all([o.person('seller'), o.person('consumer')]);
    const productId = await o.createProduct(seller, 5);
    // The caller starts the trace, so its id is known; the gateway passes traceparent through.
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const checkout = await w.gateway.call('/api/orders/checkout', {
      method: 'POST',
      token: consumer.token,
      headers: {
        'idempotency-key': randomBytes(8).toString('hex'),
        traceparent: `00-${traceId}-${callerSpanId}-01`,
      },
      json: { items: [{ productId, quantity: 1 }] },
    });
    assert.equal(checkout.status, 201, checkout.text);
    const [order] = ordersIn(checkout);
    assert.ok(order, 'the checkout made an order');

    // Spans arrive in batches (OTEL_BSP_SCHEDULE_DELAY 1 s in the stack); the email comes last.
    const spans = await traceOnce(
      traceId,
      // Whole: the email was sent and every span's parent has arrived too, but the caller's.
      (found) => {
        const ids = new Set(found.map((span) => span.id));
        const cutOff = found.filter((span) => span.parentId !== undefined && !ids.has(span.parentId));
        return (
          found.some((span) => serviceOf(span) === 'ms-email' && span.name === 'smtp send') &&
          cutOff.every((span) => span.parentId === callerSpanId)
        );
      },
      "ms-email's smtp send and every span's parent",
      40_000,
    );
    const byId = new Map(spans.map((span) => [span.id, span]));
    const listing = spans.map(describeSpan).join('\n');
    const find = (what: string, test: (span: ZipkinSpan) => boolean): ZipkinSpan => {
      const span = spans.find(test);
      assert.ok(span, `${what} in the trace:\n${listing}`);
      return span;
    };
    const parentOf = (span: ZipkinSpan): ZipkinSpan | undefined =>
      span.parentId === undefined ? undefined : byId.get(span.parentId);

    const ordersServer = find(
      'ms-orders serving the checkout, a child of the caller',
      (span) => serviceOf(span) === 'ms-orders' && span.kind === 'SERVER' && span.parentId === callerSpanId,
    );
    const productsServer = find(
      'ms-products serving the reservation',
      (span) => serviceOf(span) === 'ms-products' && span.kind === 'SERVER',
    );
    const sql = find(
      "ms-products' SQL",
      (span) =>
        serviceOf(span) === 'ms-products' &&
        span.kind === 'CLIENT' &&
        // The pg instrumentation's query spans carry the statement (db.statement or db.query.text).
        (span.name ?? '').startsWith('pg.query') &&
        /UPDATE|INSERT|SELECT/i.test(span.tags?.['db.statement'] ?? span.tags?.['db.query.text'] ?? ''),
    );
    const mongo = find(
      "ms-orders' MongoDB writes (mongoose)",
      (span) =>
        serviceOf(span) === 'ms-orders' &&
        span.kind === 'CLIENT' &&
        /mongo/.test(span.tags?.['db.system'] ?? span.tags?.['db.system.name'] ?? ''),
    );
    const publish = find(
      'the RabbitMQ publish of the order event',
      (span) => serviceOf(span) === 'ms-orders' && span.kind === 'PRODUCER',
    );
    const consume = find(
      'ms-email consuming the event',
      (span) => serviceOf(span) === 'ms-email' && span.kind === 'CONSUMER',
    );
    const smtp = find('the SMTP send', (span) => serviceOf(span) === 'ms-email' && span.name === 'smtp send');

    // Every span but the caller's root hangs off a span of this same trace: nothing was cut off.
    const orphans = spans.filter((span) => span.parentId !== undefined && !byId.has(span.parentId));
    assert.deepEqual(
      orphans.map(describeSpan),
      [describeSpan(ordersServer)],
      `only ms-orders' server span has its parent outside Zipkin (the caller's):\n${listing}`,
    );
    const ancestors = (span: ZipkinSpan): ZipkinSpan[] => {
      const chain: ZipkinSpan[] = [];
      for (let next = parentOf(span); next !== undefined; next = parentOf(next)) chain.push(next);
      return chain;
    };
    assert.ok(
      ancestors(productsServer).includes(ordersServer),
      `ms-products' span descends from ms-orders':\n${listing}`,
    );
    assert.ok(
      ancestors(sql).includes(productsServer),
      `the SQL span descends from ms-products' server span:\n${listing}`,
    );
    assert.ok(
      ancestors(mongo).includes(ordersServer),
      `the MongoDB write descends from the checkout:\n${listing}`,
    );
    assert.ok(
      ancestors(publish).includes(ordersServer),
      `the publish descends from the checkout:\n${listing}`,
    );
    assert.equal(parentOf(consume)?.kind, 'PRODUCER', `the consume's parent is the publish:\n${listing}`);
    // Each of the checkout's events is published (platform span, and amqplib's under it); the
    // consume below hangs off the one that carried its own event.
    const consumedPublish = (span: ZipkinSpan): boolean =>
      ancestors(span).some((above) => serviceOf(above) === 'ms-orders' && above.kind === 'PRODUCER');
    assert.ok(consumedPublish(consume), `the consume descends from an ms-orders publish:\n${listing}`);
    assert.ok(ancestors(smtp).includes(consume), `the SMTP send is part of the consume:\n${listing}`);
    assert.equal(new Set(spans.map((span) => span.traceId)).size, 1);

    // The checkout's bucket in ms-orders' histogram names this trace (an exemplar Prometheus kept).
    const exemplars = await waitFor(
      async () => {
        const found = await exemplarTraceIds(
          `http_server_request_duration_seconds_bucket{service="ms-orders", route="/api/orders/checkout"}`,
        );
        return found.includes(traceId) ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: `an exemplar naming trace ${traceId}` },
    );
    assert.ok(exemplars.includes(traceId));
  });
  it("continues the trace through the site's server to the services it calls", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const page = await httpRequest(new URL('/', w.stack.info.urls.gateway).href, {
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    assert.equal(page.status, 200, page.text.slice(0, 500));
    // The page's own span ends last, so it may come in a later batch than ms-products'.
    const spans = await traceOnce(
      traceId,
      (found) =>
        found.some((span) => serviceOf(span) === 'ms-products' && span.kind === 'SERVER') &&
        found.some((span) => serviceOf(span) === 'frontend' && span.kind === 'SERVER'),
      "the page's and ms-products' spans",
      20_000,
    );
    const listing = spans.map(describeSpan).join('\n');
    const byId = new Map(spans.map((span) => [span.id, span]));
    const site = spans.find(
      (span) => serviceOf(span) === 'frontend' && span.kind === 'SERVER' && span.parentId === callerSpanId,
    );
    assert.ok(site, `the frontend serves the page as a child of the caller:\n${listing}`);
    for (const served of spans.filter(
      (span) => serviceOf(span) === 'ms-products' && span.kind === 'SERVER',
    )) {
      let parent = served.parentId === undefined ? undefined : byId.get(served.parentId);
      assert.equal(parent?.kind, 'CLIENT', `the frontend's fetch is ms-products' parent:\n${listing}`);
      while (parent !== undefined && parent !== site)
        parent = parent.parentId ? byId.get(parent.parentId) : undefined;
      assert.equal(parent, site, `ms-products' span descends from the page's:\n${listing}`);
    }
  });
});
