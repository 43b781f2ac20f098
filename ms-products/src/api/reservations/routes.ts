import {
  HttpProblem,
  defineRoute,
  validationFailed,
  type FieldProblem,
  type Principal,
  type Route,
  type RouteResult,
  type Static,
} from '@marketshare/platform';
import type { RequestedItem } from '../../domain/stock/ports.js';
import { StockReservations } from '../../domain/stock/reservations.js';
import type { ProductsDeps } from '../../deps.js';
import { PgReservationStore } from '../../store/reservations-store.js';
import { reservationMetrics } from './metrics.js';
import { presentReservation, reservationProblem } from './presenters.js';
import { OrderIdParams, ReservationView, ReserveStockBody, StockUnavailableExtensions } from './schemas.js';

/** Held by ms-orders' client-credentials token; people's tokens never carry it. */
const RESERVE_SCOPE = 'stock:reserve';
/** 100 items of ~70 bytes, with room for whitespace. */
const RESERVE_BODY_LIMIT_BYTES = 16 * 1024;

const problem = (description: string) => ({ description, contentType: 'application/problem+json' });

const AUTH_PROBLEMS = {
  400: problem('Invalid input; `errors` names each field'),
  401: problem('No or an invalid access token'),
  403: problem('The token lacks the stock:reserve scope or is not a service token'),
};

/** The scope is what authorizes; a person's token carrying it anyway is refused too. */
function requireServiceCaller(principal: Principal | undefined): void {
  if (principal?.kind !== 'service') {
    throw new HttpProblem(403, 'forbidden_client', 'Only a service may reserve stock.');
  }
}

/** UUIDs compare case-insensitively; the database answers in lower case, so the request is made so too. */
function normalizedItems(items: Static<typeof ReserveStockBody>['items']): RequestedItem[] {
  const normalized = items.map((item) => ({
    productId: item.productId.toLowerCase(),
    quantity: item.quantity,
  }));
  const firstIndex = new Map<string, number>();
  const problems: FieldProblem[] = [];
  normalized.forEach((item, index) => {
    const first = firstIndex.get(item.productId);
    if (first === undefined) firstIndex.set(item.productId, index);
    else problems.push({ field: `items.${index}.productId`, message: `repeats items.${first}.productId` });
  });
  if (problems.length > 0) throw validationFailed(problems);
  return normalized;
}

async function answering(work: () => Promise<RouteResult>): Promise<RouteResult> {
  try {
    return await work();
  } catch (error) {
    throw reservationProblem(error);
  }
}

/**
 * Internal routes for ms-orders: never routed by the gateway (`/internal/...`) and left out
 * of the public OpenAPI document. Every one is idempotent by order id.
 */
export function reservationRoutes(deps: ProductsDeps): Route[] {
  const reservations = new StockReservations(
    new PgReservationStore(deps.pool),
    reservationMetrics(deps.metrics.registry),
    { holdSeconds: deps.config.RESERVATION_HOLD_MINUTES * 60 },
  );
  return [
    defineRoute({
      method: 'post',
      path: '/internal/stock/reservations',
      operationId: 'reserveStock',
      summary:
        "Reserve every item of an order or none, at the products' current prices. The reservation is a " +
        'hold until committed: RESERVATION_HOLD_MINUTES later the sweep releases it (reservation_expired)',
      internal: true,
      auth: { scopes: [RESERVE_SCOPE] },
      body: ReserveStockBody,
      bodyLimitBytes: RESERVE_BODY_LIMIT_BYTES,
      responses: {
        201: {
          description: 'Reserved (or the stored answer to an earlier identical request)',
          schema: ReservationView,
        },
        ...AUTH_PROBLEMS,
        409: {
          ...problem(
            'stock_unavailable (nothing reserved; with orderId, reservationStatus, reason, shortages), ' +
              'reservation_conflict (order id reused with other items), reservation_released or ' +
              'reservation_expired (released by the sweep)',
          ),
          schema: StockUnavailableExtensions,
        },
      },
      handler: ({ principal, body }) =>
        answering(async () => {
          requireServiceCaller(principal);
          const items = normalizedItems(body.items);
          const view = await reservations.reserve({ orderId: body.orderId, items });
          return { status: 201, body: presentReservation(view) };
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/internal/stock/reservations/:orderId/commit',
      operationId: 'commitStockReservation',
      summary:
        'End the hold of a reservation before storing its order: the stock stays until confirmed or released (again answers the same)',
      internal: true,
      auth: { scopes: [RESERVE_SCOPE] },
      params: OrderIdParams,
      responses: {
        200: { description: 'Committed (or already committed or confirmed)', schema: ReservationView },
        ...AUTH_PROBLEMS,
        404: problem('reservation_not_found: no reservation was made for this order'),
        409: problem(
          'reservation_expired (the hold ran out and the sweep put the stock back: the order lost its stock), ' +
            'reservation_released or reservation_rejected',
        ),
      },
      handler: ({ principal, params }) =>
        answering(async () => {
          requireServiceCaller(principal);
          return { body: presentReservation(await reservations.commit(params.orderId)) };
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/internal/stock/reservations/:orderId/release',
      operationId: 'releaseStockReservation',
      summary: 'Put the stock of an order back (once; again answers the same)',
      internal: true,
      auth: { scopes: [RESERVE_SCOPE] },
      params: OrderIdParams,
      responses: {
        200: {
          description: 'Released (also when the sweep released it already; rejected: nothing was taken)',
          schema: ReservationView,
        },
        ...AUTH_PROBLEMS,
        404: problem('reservation_not_found: no reservation was made for this order'),
        409: problem('reservation_confirmed: the order was delivered'),
      },
      handler: ({ principal, params }) =>
        answering(async () => {
          requireServiceCaller(principal);
          return { body: presentReservation(await reservations.release(params.orderId)) };
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/internal/stock/reservations/:orderId/confirm',
      operationId: 'confirmStockReservation',
      summary: 'Mark the reservation of a delivered order as final',
      internal: true,
      auth: { scopes: [RESERVE_SCOPE] },
      params: OrderIdParams,
      responses: {
        200: { description: 'Confirmed (again answers the same)', schema: ReservationView },
        ...AUTH_PROBLEMS,
        404: problem('reservation_not_found: no reservation was made for this order'),
        409: problem(
          'reservation_expired (never committed, the sweep put the stock back: treat as a lost reservation), ' +
            'reservation_released or reservation_rejected: there is nothing to confirm',
        ),
      },
      handler: ({ principal, params }) =>
        answering(async () => {
          requireServiceCaller(principal);
          return { body: presentReservation(await reservations.confirm(params.orderId)) };
        }),
    }),
  ];
}
