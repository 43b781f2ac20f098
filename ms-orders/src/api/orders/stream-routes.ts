import { HttpProblem, defineRoute, validationFailed, type Route } from '@marketshare/platform';
import type { OrdersDeps } from '../../deps.js';
import { OrderLifecycle } from '../../domain/order-status.js';
import { OrderStatusHub } from '../../live/order-status-hub.js';
import { OrderStatusStreams } from '../../live/order-status-stream.js';
import { EVENT_STREAM_HEADERS } from '../../live/server-sent-events.js';
import { MongoOrderStore } from '../../store/orders-store.js';
import { actorOf, COMMON_PROBLEMS, problem } from '../shared/problems.js';
import { OrderParams } from './schemas.js';
import { LAST_EVENT_ID_PATTERN, NoQuery } from './stream-schemas.js';

/** Absent or empty: a fresh start. Otherwise it must be an id this stream gave. */
function lastEventIdOf(header: string): number | undefined {
  if (header === '') return undefined;
  if (!LAST_EVENT_ID_PATTERN.test(header)) {
    throw validationFailed([
      { field: 'headers.last-event-id', message: 'is not an event id of this stream' },
    ]);
  }
  return Number(header);
}

/** Live order status over server-sent events, for the order's consumer and seller. */
export function orderStreamRoutes(deps: OrdersDeps): Route[] {
  const { config } = deps;
  const lifecycle = new OrderLifecycle(
    new MongoOrderStore(deps.models, deps.onEventsWritten),
    deps.products,
    deps.logger,
  );
  const streams = new OrderStatusStreams({
    hub: new OrderStatusHub({
      models: deps.models,
      logger: deps.logger,
      registry: deps.metrics.registry,
      pollIntervalMs: config.ORDER_STREAM_POLL_INTERVAL_MS,
      maxSubscribers: config.ORDER_STREAM_MAX_OPEN,
    }),
    heartbeatMs: config.ORDER_STREAM_HEARTBEAT_MS,
  });
  return [
    defineRoute({
      method: 'get',
      path: '/api/orders/:id/events',
      operationId: 'streamOrderStatus',
      summary:
        'Live status (text/event-stream): `status` events {orderId, status, at, by} with the history ' +
        'position as id, from the current status (or after Last-Event-ID) until a final status',
      tags: ['orders'],
      auth: { roles: ['consumer', 'seller'] },
      params: OrderParams,
      query: NoQuery,
      responses: {
        200: {
          description: 'The event stream; a comment line every ORDER_STREAM_HEARTBEAT_MS keeps it open',
          contentType: 'text/event-stream',
        },
        204: { description: 'The order is final and Last-Event-ID already names its last status' },
        ...COMMON_PROBLEMS,
        404: problem("order_not_found (another's order is not found either)"),
        406: problem('not_acceptable: the client does not accept text/event-stream'),
        503: problem('too_many_streams or shutting_down: connect again shortly'),
      },
      handler: async ({ principal, params, ctx, closing }) => {
        const actor = actorOf(principal);
        if (!ctx.accepts('text/event-stream')) {
          throw new HttpProblem(406, 'not_acceptable', 'This endpoint answers text/event-stream only.');
        }
        const lastEventId = lastEventIdOf(ctx.get('last-event-id'));
        const order = await lifecycle.get(params.id, actor);
        const body = streams.open(order, lastEventId, closing);
        return body ? { headers: EVENT_STREAM_HEADERS, body } : { status: 204 };
      },
    }),
  ];
}
