import type { RequestEvent } from '@sveltejs/kit';
import type { CallContext } from './upstream.js';

/**
 * The request id and the user's address, for calls to the services. Behind the gateway
 * adapter-node reads the address from X-Forwarded-For (ADDRESS_HEADER, XFF_DEPTH=1).
 */
export function callContext(event: Pick<RequestEvent, 'locals' | 'getClientAddress'>): CallContext {
  let clientAddress = '127.0.0.1';
  try {
    clientAddress = event.getClientAddress();
  } catch {
    // no socket address (e.g. a synthetic request): the loopback stands in
  }
  return { requestId: event.locals.requestId, clientAddress };
}
