import type { AppMiddleware } from './context.js';

/** A named dependency check; it rejects (or times out) when the dependency is unusable. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

async function runCheck(check: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answered, so the instance can
 * take traffic. Neither is routed by the gateway.
 */
export function healthEndpoints(checks: ReadinessChecks, isShuttingDown: () => boolean): AppMiddleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/healthz') {
      ctx.state.routeTemplate = '/healthz';
      ctx.body = { status: 'ok' };
      return;
    }
    if (ctx.path !== '/readyz') return next();
    ctx.state.routeTemplate = '/readyz';
    const results = Object.fromEntries(
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, 2_000)]),
      ),
    );
    const ready = !isShuttingDown() && Object.values(results).every((result) => result === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks: results, shuttingDown: isShuttingDown() };
  };
}
