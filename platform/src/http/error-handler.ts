import type { AppContext, AppMiddleware } from './context.js';
import { HttpProblem, serviceUnavailable, statusTitle } from '../errors.js';
import { UpstreamUnavailableError } from '../internal-client.js';

function readField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
}

/** Maps what body parsers and Koa itself throw onto our stable codes. */
function fromFrameworkError(error: unknown): HttpProblem | undefined {
  const status = readField(error, 'status');
  if (typeof status !== 'number' || status >= 500) return undefined;
  const rawType = readField(error, 'type');
  const type = typeof rawType === 'string' ? rawType : '';
  if (status === 413 || type === 'entity.too.large')
    return new HttpProblem(413, 'payload_too_large', 'The request body is too large.');
  if (type === 'entity.parse.failed')
    return new HttpProblem(400, 'malformed_body', 'The request body is not valid JSON.');
  if (status === 415) return new HttpProblem(415, 'unsupported_media_type', 'Unsupported content type.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new HttpProblem(415, 'unsupported_media_type', 'Unsupported content encoding or charset.');
  if (type === 'request.aborted') return new HttpProblem(400, 'request_aborted', 'The request was aborted.');
  return new HttpProblem(status, 'bad_request', statusTitle(status));
}

/**
 * The one error middleware: every failure becomes an RFC 9457 problem+json body with a
 * stable snake_case `code`. Server errors are logged in full and answered without details.
 * `translateError` maps a service's domain errors (which know nothing of HTTP) to HttpProblems
 * and returns anything else unchanged.
 */
export function errorHandler(
  translateError: (error: unknown, ctx: AppContext) => unknown = (error) => error,
): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpProblem(404, 'not_found', 'No such resource.');
      }
    } catch (thrown) {
      // A service's own domain errors become HttpProblems here, in the one error path.
      const error = translateError(thrown, ctx);
      const problem =
        error instanceof HttpProblem
          ? error
          : error instanceof UpstreamUnavailableError
            ? serviceUnavailable()
            : fromFrameworkError(error);
      if (!problem || problem.status >= 500) {
        if (problem) ctx.state.log.warn({ code: problem.code, err: error }, 'server problem');
        else ctx.state.log.error({ err: error }, 'unhandled error');
      }
      const status = problem?.status ?? 500;
      const code = problem?.code ?? 'internal_error';
      const hideDetail = status >= 500 && problem === undefined;
      ctx.status = status;
      for (const [name, value] of Object.entries(problem?.headers ?? {})) ctx.set(name, value);
      if (problem?.protocolBody) {
        ctx.type = 'application/json';
        ctx.body = problem.protocolBody;
        return;
      }
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: `urn:marketshare:problem:${code}`,
        title: statusTitle(status),
        status,
        code,
        ...(hideDetail ? { detail: 'An unexpected error occurred.' } : {}),
        ...(!hideDetail && problem?.detail ? { detail: problem.detail } : {}),
        ...(problem?.errors ? { errors: problem.errors } : {}),
        ...(problem?.extensions ?? {}),
        instance: ctx.path,
        request_id: ctx.state.requestId,
      };
    }
  };
}
