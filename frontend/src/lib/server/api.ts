/**
 * The API as a page's server code uses it: the signed-in user's token attached, and a 401 (the
 * token was refused, e.g. the account was deactivated) ends the session and sends the user to
 * the login page, whatever page made the call.
 */
import { redirect } from '@sveltejs/kit';
import type { Cookies } from '@sveltejs/kit';
import { setFlash } from './flash.js';
import { loginUrl } from './return-to.js';
import type { Runtime } from './runtime.js';
import { endSession } from './session/lifecycle.js';
import type { Session } from './session/session.js';
import type { CallContext, Upstream, UpstreamRequest, UpstreamResponse } from './upstream.js';

export type Api = (upstream: Upstream, request: Omit<UpstreamRequest, 'token'>) => Promise<UpstreamResponse>;

export function createApi(
  rt: Runtime,
  request: { cookies: Cookies; session: Session | null; context: CallContext; returnTo: string },
): Api {
  return async (upstream, call) => {
    const { session } = request;
    const response = await rt.upstream.call(
      upstream,
      session === null ? call : { ...call, token: session.accessToken },
      request.context,
    );
    if (response.status === 401 && session !== null) {
      await endSession(rt, request.cookies, session, request.context);
      setFlash(request.cookies, 'session-ended', rt.secureCookies);
      redirect(303, loginUrl(request.returnTo));
    }
    return response;
  };
}
