import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppMiddleware } from './context.js';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every request an id (the gateway's X-Request-Id when it is well formed), a child
 * logger carrying it, and one access-log line when the response is done.
 */
export function requestContext(logger: Logger): AppMiddleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ request_id: requestId });
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const isProbe = ctx.path === '/healthz' || ctx.path === '/readyz' || ctx.path === '/metrics';
      const line = {
        method: ctx.method,
        route: ctx.state.routeTemplate ?? 'unmatched',
        status: ctx.status,
        duration_ms: Math.round(durationMs * 10) / 10,
      };
      if (isProbe) ctx.state.log.debug(line, 'request');
      else ctx.state.log.info(line, 'request');
    }
  };
}
