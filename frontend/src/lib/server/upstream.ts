/**
 * Every call from this server to a service goes through here: a bounded timeout, the request
 * id, the user's address as X-Forwarded-For (services trust exactly one hop, so their per-IP
 * limits apply per user, not to this server), and the outbound histogram by route template.
 */
import { timeOutboundCall } from '@marketshare/platform';
import { metrics } from './metrics.js';

export type Upstream = 'ms-auth' | 'ms-users' | 'ms-products' | 'ms-orders';

export interface CallContext {
  requestId: string;
  clientAddress: string;
}

export interface UpstreamRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The route template, for metrics: '/api/products/:id', never the filled-in path. */
  route: string;
  /** The path with its query, e.g. `/api/products?sort=newest`. */
  path: string;
  headers?: Record<string, string>;
  /** A string (JSON, a form) or multipart FormData, which fetch sends with its own boundary. */
  body?: string | FormData;
  token?: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export class UpstreamUnavailable extends Error {
  constructor(
    readonly upstream: Upstream,
    cause: unknown,
  ) {
    super(`${upstream} is unavailable`, { cause });
    this.name = 'UpstreamUnavailable';
  }
}

export interface UpstreamClient {
  call(upstream: Upstream, request: UpstreamRequest, context: CallContext): Promise<UpstreamResponse>;
}

export function createUpstreamClient(baseUrls: Record<Upstream, string>, timeoutMs: number): UpstreamClient {
  return {
    async call(upstream, request, context) {
      const method = request.method ?? 'GET';
      const headers: Record<string, string> = {
        accept: 'application/json',
        'x-request-id': context.requestId,
        'x-forwarded-for': context.clientAddress,
        ...request.headers,
      };
      if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
      const url = new URL(request.path, baseUrls[upstream]);
      const done = timeOutboundCall(metrics.registry, { upstream, url, method, route: request.route });
      let status = 0;
      try {
        const response = await fetch(url, {
          method,
          headers,
          body: request.body,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        });
        status = response.status;
        const text = await response.text();
        let body: unknown = text;
        if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON after all: keep the text
          }
        }
        return { status, headers: response.headers, body };
      } catch (error) {
        throw new UpstreamUnavailable(upstream, error);
      } finally {
        done(status);
      }
    },
  };
}

export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
}
