/**
 * The fault suite's invariants, as pure functions over what a run collected (model.ts). Each
 * answers the violations it found, one sentence each; none means the invariant holds.
 * scripts/test/faults-invariants.test.ts feeds each a data set broken on purpose.
 */
import {
  CREATION_STATUSES,
  DEPENDENCIES,
  LIVE_STATUSES,
  NEXT_STATUSES,
  ORDER_STATUSES,
  type CollectedOrder,
  type CollectedReservation,
  type FaultWindow,
  type RecordedResponse,
  type RunData,
} from './model.js';

type Items = readonly { productId: string; quantity: number }[];

const unitsOf = (items: Items, productId: string): number =>
  items.filter((item) => item.productId === productId).reduce((sum, item) => sum + item.quantity, 0);

const isLive = (order: CollectedOrder): boolean => LIVE_STATUSES.includes(order.status);

/** Per product: live orders hold no more than there was, and exactly what left the stock. */
export function checkStock(data: Pick<RunData, 'products' | 'orders'>): string[] {
  const live = data.orders.filter(isLive);
  return data.products.flatMap((product) => {
    const taken = live.reduce((sum, order) => sum + unitsOf(order.items, product.id), 0);
    const left = product.initialStock - product.currentStock;
    const problems: string[] = [];
    if (taken > product.initialStock)
      problems.push(
        `product ${product.id} oversold: ${taken} units in live orders, stock was ${product.initialStock}`,
      );
    if (product.currentStock < 0)
      problems.push(`product ${product.id} has negative stock ${product.currentStock}`);
    if (left !== taken)
      problems.push(
        `product ${product.id} stock not conserved: ${left} units left the stock (${product.initialStock} → ${product.currentStock}), live orders hold ${taken}`,
      );
    return problems;
  });
}

function historyProblems(order: CollectedOrder): string[] {
  const problems: string[] = [];
  const history = order.statusHistory;
  if (!(ORDER_STATUSES as readonly string[]).includes(order.status))
    problems.push(`order ${order.id} has an unknown status ${order.status}`);
  const [first] = history;
  if (first === undefined) return [...problems, `order ${order.id} has no status history`];
  if (!CREATION_STATUSES.includes(first.status))
    problems.push(`order ${order.id} was created as ${first.status}`);
  history.slice(1).forEach((change, index) => {
    const previous = history[index] ?? first;
    if (!(NEXT_STATUSES[previous.status] ?? []).includes(change.status))
      problems.push(`order ${order.id} moved ${previous.status} → ${change.status}`);
    if (Date.parse(change.at) < Date.parse(previous.at))
      problems.push(`order ${order.id} history goes back in time at ${change.status}`);
  });
  if (history.at(-1)?.status !== order.status)
    problems.push(`order ${order.id} is ${order.status} but its history ends at ${history.at(-1)?.status}`);
  return problems;
}

/** Every order valid by the status machine; every answered checkout and move really happened. */
export function checkOrderStates(
  data: Pick<RunData, 'orders' | 'acknowledgedOrders' | 'acknowledgedMoves'>,
): string[] {
  const byId = new Map(data.orders.map((order) => [order.id, order]));
  return [
    ...data.orders.flatMap(historyProblems),
    ...data.acknowledgedOrders
      .filter((id) => !byId.has(id))
      .map((id) => `order ${id} was answered 201 but does not exist`),
    ...data.acknowledgedMoves.flatMap(({ orderId, status }) => {
      const order = byId.get(orderId);
      const reached = order?.statusHistory.some((change) => change.status === status) ?? false;
      return reached ? [] : [`order ${orderId} was moved to ${status} (200) but its history lacks it`];
    }),
  ];
}

const sameItems = (a: Items, b: Items): boolean => {
  const key = (items: Items) =>
    items
      .map((item) => `${item.productId}×${item.quantity}`)
      .sort()
      .join();
  return key(a) === key(b);
};

const HOLDING: readonly string[] = ['reserved', 'confirmed'];

function liveOrderProblems(order: CollectedOrder, reservation: CollectedReservation | undefined): string[] {
  if (reservation === undefined) return [`live order ${order.id} (${order.status}) has no reservation`];
  const expected = order.status === 'DELIVERED' ? 'confirmed' : 'reserved';
  const problems: string[] = [];
  if (reservation.status !== expected)
    problems.push(`order ${order.id} is ${order.status} but its reservation is ${reservation.status}`);
  if (reservation.held) problems.push(`order ${order.id}'s reservation is still an uncommitted hold`);
  if (!sameItems(order.items, reservation.items))
    problems.push(`order ${order.id}'s reservation holds other items than the order`);
  return problems;
}

/** No reservation holds stock without a live order, and no live order lacks its reservation. */
export function checkReservations(data: Pick<RunData, 'orders' | 'reservations'>): string[] {
  const reservationOf = new Map(data.reservations.map((reservation) => [reservation.orderId, reservation]));
  const orderIds = new Set(data.orders.map((order) => order.id));
  return [
    ...data.orders.flatMap((order) => {
      const reservation = reservationOf.get(order.id);
      if (isLive(order)) return liveOrderProblems(order, reservation);
      return reservation !== undefined && HOLDING.includes(reservation.status)
        ? [
            `order ${order.id} is ${order.status} but its reservation still holds stock (${reservation.status})`,
          ]
        : [];
    }),
    ...data.reservations
      .filter((reservation) => !orderIds.has(reservation.orderId) && HOLDING.includes(reservation.status))
      .map((reservation) => `reservation ${reservation.orderId} (${reservation.status}) has no order`),
  ];
}

/** ms-email's subject for a checkout's outcome (order.created) and for each later move. */
const CREATED_TITLE: Readonly<Record<string, string>> = {
  RECEIVED: 'Order received',
  REJECTED: 'Payment declined',
  OUT_OF_STOCK: 'Items out of stock',
};
const PROGRESS_SUBJECT: Readonly<Record<string, string>> = {
  IN_DELIVERY: 'Your order has shipped',
  DELIVERED: 'Your order was delivered',
  CANCELLED: 'Your order was cancelled',
};

/** The emails the run's events are owed, one each, as "recipient | subject". */
export function expectedEmails(data: Pick<RunData, 'accounts' | 'orders' | 'consumerEmails'>): string[] {
  const welcomes = data.accounts.map(
    (account) => `${account.email} | Welcome to Marketshare, ${account.companyName}`,
  );
  const aboutOrders = data.orders.flatMap((order) => {
    const to = data.consumerEmails.get(order.consumerId) ?? `(consumer ${order.consumerId})`;
    return order.statusHistory.map((change, index) => {
      const title = (index === 0 ? CREATED_TITLE : PROGRESS_SUBJECT)[change.status] ?? change.status;
      return `${to} | ${title}: order ${order.id}`;
    });
  });
  return [...welcomes, ...aboutOrders];
}

const countBy = (keys: readonly string[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
};

/** Every event produced exactly one email, to the right person, and the sink holds no other. */
export function checkEmails(
  data: Pick<RunData, 'accounts' | 'orders' | 'consumerEmails' | 'emails'>,
): string[] {
  const expected = countBy(expectedEmails(data));
  // ms-email marks every message with its event; the others are Alertmanager's to the on-call.
  const fromEvents = data.emails.filter((email) => email.eventId !== undefined);
  const sent = countBy(fromEvents.map((email) => `${email.to} | ${email.subject}`));
  const problems: string[] = [];
  for (const [key, count] of expected) {
    const got = sent.get(key) ?? 0;
    if (got === 0) problems.push(`no email: ${key}`);
    else if (got > count) problems.push(`${got} emails instead of one: ${key}`);
  }
  for (const key of sent.keys()) if (!expected.has(key)) problems.push(`unexpected email: ${key}`);
  const perEvent = countBy(fromEvents.map((email) => email.eventId ?? ''));
  for (const [eventId, count] of perEvent)
    if (count > 1) problems.push(`event ${eventId} produced ${count} emails`);
  return problems;
}

const overlaps = (response: RecordedResponse, window: FaultWindow): boolean =>
  response.startedAt <= window.end && response.endedAt >= window.start;

/** Failures a fault explains: which statuses, from which windows. */
function excused(response: RecordedResponse, windows: readonly FaultWindow[]): boolean {
  const needed = DEPENDENCIES[response.operation];
  const during = windows.filter(
    (window) => window.service !== null && needed.includes(window.service) && overlaps(response, window),
  );
  // 503: the gateway (no live server) or a service (a dependency away) said so.
  if (response.status === 503) return during.length > 0;
  // 502 or no answer: the process serving it died under the request.
  if (response.status === 502 || response.status === 0) return during.some((window) => window.abrupt);
  return false;
}

/**
 * No 5xx but a 503 while a dependency was down (or a cut-off answer from a process killed under
 * the request), and no valid token refused (401) at any time: tokens verify from cached keys.
 */
export function checkResponses(data: Pick<RunData, 'responses' | 'windows'>): string[] {
  return data.responses.flatMap((response) => {
    const what = `${response.operation} ${response.path} answered ${response.status} ${response.code}`;
    const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);
    const at = `sent ${clock(response.startedAt)}, answered ${clock(response.endedAt)}`;
    if (response.status === 401) return [`${what}: a valid token was refused (${at})`];
    const failed = response.status >= 500 || response.status === 0;
    if (!failed || excused(response, data.windows)) return [];
    return [`${what} outside any outage of its dependencies (${at})`];
  });
}

/** Every invariant at once, labelled, for one assertion message. */
export function checkAll(data: RunData): Record<string, string[]> {
  return {
    stock: checkStock(data),
    orders: checkOrderStates(data),
    reservations: checkReservations(data),
    emails: checkEmails(data),
    responses: checkResponses(data),
  };
}
