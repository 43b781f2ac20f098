/**
 * Every request: request id, probes, the session (refreshed on the server, never shown to the
 * browser), the role guards (the one place they live), security headers, metrics and a log line.
 */
import { randomUUID } from 'node:crypto';
import { redirect } from '@sveltejs/kit';
import type { Handle, HandleServerError, RequestEvent, ServerInit } from '@sveltejs/kit';
import { ConfigError, observeHttpRequest } from '@marketshare/platform';
import { createApi } from '$lib/server/api';
import { parseFrontendConfig } from '$lib/server/config';
import { setFlash } from '$lib/server/flash';
import { decideAccess } from '$lib/server/guards';
import { configureLogger, logger } from '$lib/server/log';
import { metrics } from '$lib/server/metrics';
import { probe } from '$lib/server/probes';
import { callContext } from '$lib/server/request';
import { loginUrl } from '$lib/server/return-to';
import { createRuntime, installRuntime, runtime } from '$lib/server/runtime';
import type { Runtime } from '$lib/server/runtime';
import { renameSessionUser, resolveSession } from '$lib/server/session/lifecycle';

let started: Runtime | null = null;

export const init: ServerInit = () => {
  try {
    const config = parseFrontendConfig(process.env);
    configureLogger(config.LOG_LEVEL);
    started = createRuntime(config);
    installRuntime(started);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // adapter-node closes the server on SIGTERM/SIGINT, lets requests in flight finish, then emits this.
  process.once('sveltekit:shutdown', (reason: unknown) => logger().info({ reason }, 'frontend stopped'));
  logger().info({ origin: started.config.ORIGIN }, 'frontend started');
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

async function handleRequest(
  event: RequestEvent,
  resolve: Parameters<Handle>[0]['resolve'],
): Promise<Response> {
  const rt = runtime();
  const context = callContext(event);
  const outcome = await resolveSession(rt, event.cookies, context, Date.now());
  const { session } = outcome;
  const returnTo = `${event.url.pathname}${event.url.search}`;
  event.locals.user = session?.user ?? null;
  event.locals.sessionId = session?.id ?? null;
  event.locals.api = createApi(rt, { cookies: event.cookies, session, context, returnTo });
  event.locals.renameViewer = (name) => {
    if (session === null) return;
    event.locals.user = renameSessionUser(rt, event.cookies, session, name, Date.now()).user;
  };

  const access = decideAccess(event.route.id, session?.user.role ?? null);
  if (access.kind === 'login') {
    if (outcome.ended !== null) setFlash(event.cookies, 'session-ended', rt.secureCookies);
    redirect(303, loginUrl(returnTo));
  }
  if (access.kind === 'home') {
    setFlash(event.cookies, `${access.area}-only`, rt.secureCookies);
    redirect(303, '/');
  }
  const response = await resolve(event);
  // Pages made for one signed-in user are never stored by shared or browser caches.
  if (session !== null && !response.headers.has('cache-control'))
    response.headers.set('cache-control', 'private, no-store');
  return response;
}

export const handle: Handle = async ({ event, resolve }) => {
  const begin = process.hrtime.bigint();
  const given = event.request.headers.get('x-request-id');
  event.locals.requestId = given !== null && REQUEST_ID.test(given) ? given : randomUUID();
  const probed = await probe(event.url.pathname, started);
  const route = probed === null ? (event.route.id ?? 'unmatched') : event.url.pathname;
  let status = 500;
  try {
    const response = probed ?? (await handleRequest(event, resolve));
    status = response.status;
    try {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
      response.headers.set('x-request-id', event.locals.requestId);
    } catch {
      // a response with immutable headers (passed through from fetch): leave it as it is
    }
    return response;
  } catch (error) {
    // A redirect thrown above is an answer too: count and log it as one.
    const redirectStatus = Reflect.get(Object(error), 'status');
    if (typeof redirectStatus === 'number') status = redirectStatus;
    throw error;
  } finally {
    if (route !== '/metrics') {
      const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
      observeHttpRequest(metrics, { method: event.request.method, route, status_code: status }, seconds);
      const entry = {
        request_id: event.locals.requestId,
        method: event.request.method,
        route,
        status_code: status,
        duration_ms: Math.round(seconds * 1000),
      };
      if (probed === null) logger().info(entry, 'request');
      else logger().debug(entry, 'probe');
    }
  }
};

export const handleError: HandleServerError = ({ error, event, status, message }) => {
  const requestId = event.locals.requestId;
  if (status >= 500)
    logger().error({ err: error, request_id: requestId, route: event.route.id }, 'request failed');
  return { message: status >= 500 ? 'Something went wrong on our side.' : message, requestId };
};
