import type { Readable } from 'node:stream';
import { OrdersError } from '../domain/errors.js';
import type { Order, OrderStatus, StatusChange } from '../domain/orders.js';
import type { OrderStatusHub } from './order-status-hub.js';
import { EventStream } from './server-sent-events.js';

/** Statuses an order never leaves: the stream sends them and ends. */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>([
  'DELIVERED',
  'CANCELLED',
  'REJECTED',
  'OUT_OF_STOCK',
]);

export interface StatusEventData {
  orderId: string;
  status: OrderStatus;
  at: string;
  by: string;
}

export interface OrderStatusStreamsOptions {
  hub: OrderStatusHub;
  heartbeatMs: number;
}

/**
 * Live status of one order as server-sent events. Event n (its `id`) is the order's n-th status
 * history entry, so a client that reconnects with Last-Event-ID n gets exactly the entries
 * after it, and whatever source a change arrives from (this process, a poll, twice), each
 * entry goes out once and in order.
 */
export class OrderStatusStreams {
  constructor(private readonly options: OrderStatusStreamsOptions) {}

  /**
   * The stream for someone allowed to see `order`. Without `lastEventId` it starts with the
   * current status; with one, with the entries after it. Undefined when the client already has
   * everything and the order is final (there is nothing more to say: it should stop asking).
   */
  open(order: Order, lastEventId: number | undefined, closing: AbortSignal): Readable | undefined {
    const history = order.statusHistory;
    const resumes = lastEventId !== undefined && lastEventId >= 1 && lastEventId <= history.length;
    let delivered = resumes ? lastEventId : Math.max(0, history.length - 1);
    const isFinal = FINAL_STATUSES.has(order.status);
    if (isFinal && delivered >= history.length) return undefined;
    if (closing.aborted) {
      throw new OrdersError('unavailable', 'shutting_down', 'This instance is shutting down; connect again.');
    }

    let unsubscribe: (() => void) | undefined;
    const endOnClosing = () => stream.end();
    const stream = new EventStream(this.options.heartbeatMs, () => {
      unsubscribe?.();
      closing.removeEventListener('abort', endOnClosing);
    });
    const catchUp = (entries: StatusChange[]) => {
      for (; delivered < entries.length && !stream.isEnded; delivered += 1) {
        const entry = entries[delivered];
        if (!entry) break;
        stream.send({ event: 'status', id: String(delivered + 1), data: eventData(order.id, entry) });
        if (FINAL_STATUSES.has(entry.status)) stream.end();
      }
    };

    if (!isFinal) {
      // Before the first event: a refusal must still be an ordinary problem response.
      unsubscribe = this.options.hub.subscribe(order.id, (snapshot) => catchUp(snapshot.history));
      if (!unsubscribe) {
        stream.body.destroy();
        throw new OrdersError(
          'unavailable',
          'too_many_streams',
          'This instance serves as many live streams as it can; try again shortly.',
        );
      }
    }
    catchUp(history);
    closing.addEventListener('abort', endOnClosing, { once: true });
    return stream.body;
  }
}

function eventData(orderId: string, entry: StatusChange): StatusEventData {
  return { orderId, status: entry.status, at: entry.at.toISOString(), by: entry.by };
}
