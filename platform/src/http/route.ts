import type { Static, TSchema } from '@sinclair/typebox';
import { authorize, type AuthPolicy } from '../auth/guards.js';
import type { TokenVerifier } from '../auth/jwks-verifier.js';
import type { Principal } from '../auth/principal.js';
import { validationFailed } from '../errors.js';
import { checkSchema } from '../validation.js';
import { readBody, type BodyFormat } from './body.js';
import { closingSignal } from './closing.js';
import type { AppContext } from './context.js';
import { assertQueryIsUtf8 } from './query.js';
import type { RateLimiter } from './rate-limit.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Maybe<S extends TSchema | undefined> = S extends TSchema ? Static<S> : undefined;

export interface RouteInput<
  B extends TSchema | undefined,
  Q extends TSchema | undefined,
  P extends TSchema | undefined,
  H extends TSchema | undefined = undefined,
> {
  body: Maybe<B>;
  query: Maybe<Q>;
  params: Maybe<P>;
  /** The request headers `spec.headers` declares (names in lower case), validated. */
  headers: Maybe<H>;
  principal: Principal | undefined;
  ctx: AppContext;
  /** Aborted when the server begins to close: a streamed response ends on it. */
  closing: AbortSignal;
}

/**
 * What a handler returns. A streamed `body` (a Readable, e.g. server-sent events) is timed
 * and logged up to the moment it starts; it ends when the stream does, so a long-lived one
 * must also end on `closing`.
 */
export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: TSchema;
  contentType?: string;
}

export interface RouteSpec<
  B extends TSchema | undefined,
  Q extends TSchema | undefined,
  P extends TSchema | undefined,
  H extends TSchema | undefined = undefined,
> {
  method: HttpMethod;
  /** Koa-router path template, e.g. `/api/users/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tags?: string[];
  auth: AuthPolicy;
  rateLimit?: RateLimiter;
  body?: B;
  bodyFormat?: BodyFormat;
  bodyLimitBytes?: number;
  query?: Q;
  params?: P;
  /**
   * Request headers the route needs, as an object schema over lower-case names. Validated like
   * the query (other headers are not its business, so give it additionalProperties: true) and
   * documented as header parameters.
   */
  headers?: H;
  responses: Record<number, ResponseSpec>;
  /** Hidden routes (internal service-to-service) are still validated but left out of OpenAPI. */
  internal?: boolean;
  handler: (input: RouteInput<B, Q, P, H>) => Promise<RouteResult | undefined>;
}

/** A route with its types erased, ready to be mounted. */
export interface Route {
  spec: RouteSpec<TSchema | undefined, TSchema | undefined, TSchema | undefined, TSchema | undefined>;
  run(ctx: AppContext, deps: { verifier: TokenVerifier | undefined; bodyLimitBytes: number }): Promise<void>;
}

function parsePart<S extends TSchema | undefined>(
  schema: S,
  value: unknown,
  prefix: string,
  coerce: boolean,
) {
  if (schema === undefined) return { value: undefined, problems: [] };
  const result = checkSchema(schema, value, { coerce, fieldPrefix: prefix });
  return result.ok ? { value: result.value, problems: [] } : { value: undefined, problems: result.problems };
}

/**
 * Declares a route. Its chain is fixed: rate limit → authenticate/authorize → parse and
 * validate (params, query, body) → handler → present.
 */
export function defineRoute<
  B extends TSchema | undefined = undefined,
  Q extends TSchema | undefined = undefined,
  P extends TSchema | undefined = undefined,
  H extends TSchema | undefined = undefined,
>(spec: RouteSpec<B, Q, P, H>): Route {
  const run: Route['run'] = async (ctx, deps) => {
    ctx.state.routeTemplate = spec.path;
    spec.rateLimit?.hit(ctx);
    const principal = await authorize(ctx, spec.auth, deps.verifier);
    if (principal) ctx.state.principal = principal;
    const params = parsePart(spec.params, { ...ctx.params }, 'params', true);
    assertQueryIsUtf8(ctx.querystring);
    const query = parsePart(spec.query, { ...ctx.query }, 'query', true);
    const headers = parsePart(spec.headers, { ...ctx.headers }, 'headers', true);
    let rawBody: unknown;
    if (spec.body !== undefined) {
      rawBody = await readBody(ctx, spec.bodyFormat ?? 'json', spec.bodyLimitBytes ?? deps.bodyLimitBytes);
    }
    const body = parsePart(spec.body, rawBody, '', spec.bodyFormat === 'form');
    const problems = [...params.problems, ...query.problems, ...headers.problems, ...body.problems];
    if (problems.length > 0) throw validationFailed(problems);
    const result = await spec.handler({
      // The values were produced by checkSchema for exactly these schemas (or are undefined without one).
      body: body.value as Maybe<B>,
      query: query.value as Maybe<Q>,
      params: params.value as Maybe<P>,
      headers: headers.value as Maybe<H>,
      principal,
      ctx,
      closing: closingSignal(ctx.app),
    });
    if (!result) return;
    for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
    ctx.status = result.status ?? (result.body === undefined ? 204 : 200);
    if (result.body !== undefined) ctx.body = result.body;
  };
  // The generic parameters only narrow what the handler sees; the stored spec is the same object.
  return { spec: spec as unknown as Route['spec'], run };
}
