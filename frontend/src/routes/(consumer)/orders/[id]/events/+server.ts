/**
 * The order's live status for the page's EventSource: ms-orders' event stream relayed with the
 * consumer's token attached here on the server (the browser never holds it). Last-Event-ID goes
 * through, so a reconnecting browser resumes where it was; when the browser leaves, the upstream
 * request is aborted, and when ms-orders ends the stream (a final status), so does this one.
 */
import { error } from '@sveltejs/kit';
import { callContext } from '$lib/server/request';
import { runtime } from '$lib/server/runtime';
import { readSessionCookie } from '$lib/server/session/cookie';
import { openSession } from '$lib/server/session/session';
import type { RequestHandler } from './$types';

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const LAST_EVENT_ID = /^[1-9][0-9]{0,5}$/;

export const GET: RequestHandler = async (event) => {
  const { params, request, cookies } = event;
  if (!ORDER_ID.test(params.id)) error(404, 'This order was not found.');
  const rt = runtime();
  // hooks.server.ts has opened (and if need be refreshed) the session for this request already;
  // `locals.api` buffers whole answers, so a stream needs the token read here, on the server.
  const state = openSession(rt.sealer, readSessionCookie(cookies, rt.secureCookies), rt.policy, Date.now());
  if (state.kind !== 'active') error(401, 'Your session ended.');
  const context = callContext(event);
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    authorization: `Bearer ${state.session.accessToken}`,
    'x-request-id': context.requestId,
    'x-forwarded-for': context.clientAddress,
  };
  const lastEventId = request.headers.get('last-event-id') ?? '';
  if (LAST_EVENT_ID.test(lastEventId)) headers['last-event-id'] = lastEventId;

  const upstreamAbort = new AbortController();
  request.signal.addEventListener('abort', () => upstreamAbort.abort(), { once: true });
  // The timeout bounds the wait for the answer's head only: the stream itself stays open.
  const headTimer = setTimeout(() => upstreamAbort.abort(), rt.config.API_TIMEOUT_MS);
  let upstream: Response;
  try {
    upstream = await fetch(new URL(`/api/orders/${params.id}/events`, rt.config.ORDERS_URL), {
      headers,
      signal: upstreamAbort.signal,
    });
  } catch {
    error(503, 'Live updates are unavailable right now.');
  } finally {
    clearTimeout(headTimer);
  }
  // 204: the order is final and the browser has seen its last status; EventSource stops on it.
  if (upstream.status === 204) return new Response(null, { status: 204 });
  if (upstream.status !== 200 || upstream.body === null) {
    await upstream.body?.cancel();
    error(
      upstream.status === 404 ? 404 : upstream.status === 401 ? 401 : 503,
      'Live updates are unavailable.',
    );
  }
  const reader = upstream.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        // aborted (the browser left) or ms-orders went away: the browser reconnects if it is there
        controller.close();
      }
    },
    // The browser went away (adapter-node cancels the body): free the upstream connection.
    async cancel() {
      upstreamAbort.abort();
      await reader.cancel().catch(() => undefined);
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    },
  });
};
