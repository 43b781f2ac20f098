/**
 * The order page's progressive enhancement: an EventSource on the site's own relay (never on
 * ms-orders: the browser holds no token) that reports each status event.
 */
import { toStatusChange } from '$lib/orders';
import type { StatusChange } from '$lib/orders';

export type LiveState = 'connecting' | 'live' | 'ended' | 'unavailable';

export function followOrder(
  orderId: string,
  on: { change: (change: StatusChange) => void; state: (state: LiveState) => void },
): () => void {
  const source = new EventSource(`/orders/${encodeURIComponent(orderId)}/events`);
  on.state('connecting');
  source.addEventListener('open', () => on.state('live'));
  source.addEventListener('status', (event) => {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(String(event.data));
    } catch {
      return;
    }
    const change = toStatusChange(parsed);
    if (change !== null) on.change(change);
  });
  source.addEventListener('error', () => {
    // CLOSED: refused (or a 204 after the final status); otherwise the browser reconnects itself.
    if (source.readyState === EventSource.CLOSED) on.state('ended');
    else on.state('connecting');
  });
  return () => source.close();
}
