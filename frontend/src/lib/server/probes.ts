/** /healthz (alive), /readyz (the services it calls answer), /metrics: answered before routing. */
import { metrics } from './metrics.js';
import type { Runtime } from './runtime.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

async function reachable(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1500) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function probe(path: string, rt: Runtime | null): Promise<Response | null> {
  if (path === '/healthz') return new Response('{"status":"ok"}', { headers: JSON_HEADERS });
  if (path === '/metrics') {
    return new Response(await metrics.registry.metrics(), {
      headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' },
    });
  }
  if (path !== '/readyz') return null;
  if (rt === null) return new Response('{"status":"starting"}', { status: 503, headers: JSON_HEADERS });
  const { AUTH_URL, USERS_URL, PRODUCTS_URL, ORDERS_URL } = rt.config;
  const targets = {
    'ms-auth': AUTH_URL,
    'ms-users': USERS_URL,
    'ms-products': PRODUCTS_URL,
    'ms-orders': ORDERS_URL,
  };
  const checks = await Promise.all(
    Object.entries(targets).map(async ([name, base]) => [
      name,
      await reachable(new URL('/healthz', base).href),
    ]),
  );
  const ready = checks.every(([, ok]) => ok === true);
  return new Response(
    JSON.stringify({ status: ready ? 'ok' : 'unavailable', checks: Object.fromEntries(checks) }),
    {
      status: ready ? 200 : 503,
      headers: JSON_HEADERS,
    },
  );
}
