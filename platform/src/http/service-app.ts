import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/jwks-verifier.js';
import { HttpProblem } from '../errors.js';
import type { AppContext, AppState } from './context.js';
import { errorHandler } from './error-handler.js';
import { healthEndpoints, type ReadinessChecks } from './health.js';
import { httpMetrics, type ServiceMetrics } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { requestContext } from './request-context.js';
import { discardRestOfBody } from './request-body.js';
import type { Route } from './route.js';

export interface ServiceAppOptions {
  /** Short name used in the OpenAPI path: `/api/<apiName>/openapi.json`. */
  apiName: string;
  title: string;
  version?: string;
  logger: Logger;
  metrics: ServiceMetrics;
  routes: Route[];
  verifier: TokenVerifier | undefined;
  readiness: ReadinessChecks;
  bodyLimitBytes: number;
  /** Set by the server during graceful shutdown so /readyz fails and the load balancer drains us. */
  isShuttingDown?: () => boolean;
  /** Trust X-Forwarded-For from the gateway (ctx.ip is then the client's address). */
  trustProxy?: boolean;
  /**
   * Maps the service's domain errors to HttpProblems; anything else is returned unchanged. It
   * sees the request too, for refusals worded by where they happen (an OAuth endpoint's 405).
   */
  translateError?: (error: unknown, ctx: AppContext) => unknown;
}

/**
 * The Koa app every service builds: request id and logs, RED metrics, one error handler,
 * health probes, `/metrics`, the OpenAPI document, then the service's routes. It never
 * listens: tests drive it directly and `server.ts` owns the process concerns.
 */
export function createServiceApp(options: ServiceAppOptions): Koa<AppState> {
  // Only the last X-Forwarded-For hop (the one the gateway appended) is trusted; earlier ones are client-supplied.
  const app = new Koa<AppState>({ proxy: options.trustProxy ?? true, maxIpsCount: 1 });
  app.silent = true;
  // Koa reports here what fails after the response began (a body stream, a client gone
  // mid-answer); earlier errors are errorHandler's. Its own listener is silent: log them.
  app.on('error', (error: unknown, ctx?: AppContext) => {
    const log = ctx?.state.log ?? options.logger;
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE')
      log.debug({ err: error }, 'client went away mid-response');
    else log.warn({ err: error }, 'error after the response began');
  });
  const router = new Router<AppState>();
  const deps = { verifier: options.verifier, bodyLimitBytes: options.bodyLimitBytes };

  const openApiPath = `/api/${options.apiName}/openapi.json`;
  const document = buildOpenApi(
    { title: options.title, version: options.version ?? '0.1.0' },
    options.routes,
  );
  router.get(openApiPath, (ctx: AppContext) => {
    ctx.state.routeTemplate = openApiPath;
    ctx.body = document;
  });
  router.get('/metrics', async (ctx: AppContext) => {
    ctx.state.routeTemplate = '/metrics';
    ctx.type = options.metrics.registry.contentType;
    ctx.body = await options.metrics.registry.metrics();
  });
  // After the fixed paths above: a service route such as `/api/products/:id` would otherwise
  // take `/api/products/openapi.json` (the first matching route answers).
  for (const route of options.routes) {
    router.register(route.spec.path, [route.spec.method.toUpperCase()], (ctx: AppContext) =>
      route.run(ctx, deps),
    );
  }

  app.use(requestContext(options.logger));
  app.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      // A body no route read (a GET with one, a refusal before reading) is dropped within a
      // bound, not left to Node's unbounded drain or in the way of the connection's next request.
      if (ctx.req.readableFlowing === null) discardRestOfBody(ctx.req);
    }
  });
  app.use(httpMetrics(options.metrics));
  app.use(errorHandler(options.translateError));
  app.use(healthEndpoints(options.readiness, options.isShuttingDown ?? (() => false)));
  app.use(router.routes());
  app.use(
    router.allowedMethods({
      throw: true,
      methodNotAllowed: () => new HttpProblem(405, 'method_not_allowed', 'This method is not allowed here.'),
      notImplemented: () => new HttpProblem(501, 'not_implemented', 'This method is not implemented.'),
    }),
  );
  return app;
}
