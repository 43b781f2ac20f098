import { context, propagation } from '@opentelemetry/api';
import type { MetricsRegistry } from './http/metrics.js';
import { timeOutboundCall } from './http/client-metrics.js';

/** Something that hands out a bearer token for service-to-service calls. */
export interface TokenSource {
  getToken(): Promise<string>;
  /** Called after a 401 so the next call fetches a fresh token. */
  invalidate(): void;
}

/** The dependency could not be reached or answered too slowly: callers answer 503. */
export class UpstreamUnavailableError extends Error {
  constructor(
    readonly upstream: string,
    reason: string,
  ) {
    super(`${upstream} unavailable: ${reason}`);
    this.name = 'UpstreamUnavailableError';
  }
}

export interface UpstreamResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * OAuth client-credentials token, cached until shortly before it expires; concurrent callers
 * share one token request.
 */
export class ClientCredentialsTokenSource implements TokenSource {
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly options: {
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      timeoutMs?: number;
      /** Token requests join http_client_request_duration_seconds (upstream ms-auth) here. */
      registry?: MetricsRegistry;
    },
  ) {}

  getToken(): Promise<string> {
    if (this.cached && Date.now() < this.cached.expiresAt) return Promise.resolve(this.cached.token);
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.options.scope) form.set('scope', this.options.scope);
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    ).toString('base64');
    let response: Response;
    const url = new URL(this.options.tokenUrl);
    const done = timeOutboundCall(this.options.registry, { upstream: 'ms-auth', url, method: 'POST' });
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3_000),
      });
    } catch (error) {
      done(0);
      throw new UpstreamUnavailableError('auth', String(error));
    }
    done(response.status);
    const body: unknown = await response.json().catch(() => undefined);
    const token = typeof body === 'object' && body !== null ? Reflect.get(body, 'access_token') : undefined;
    const expiresIn = typeof body === 'object' && body !== null ? Reflect.get(body, 'expires_in') : undefined;
    if (!response.ok || typeof token !== 'string') {
      throw new UpstreamUnavailableError('auth', `token request failed with HTTP ${response.status}`);
    }
    const lifetimeMs = (typeof expiresIn === 'number' ? expiresIn : 60) * 1000;
    this.cached = { token, expiresAt: Date.now() + Math.max(lifetimeMs - 30_000, lifetimeMs / 2) };
    return token;
  }
}

/**
 * JSON over HTTP to another service: bounded by a timeout, carrying the trace context and a
 * service token. Network failures and timeouts surface as UpstreamUnavailableError.
 */
export class InternalHttpClient {
  constructor(
    private readonly options: {
      name: string;
      baseUrl: string;
      tokens?: TokenSource;
      timeoutMs?: number;
      /** Calls are measured in http_client_request_duration_seconds of this registry. */
      registry?: MetricsRegistry;
      /** The upstream label of those metrics (default: name). */
      upstream?: string;
    },
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<UpstreamResponse> {
    const first = await this.send(method, path, body);
    if (first.status !== 401 || !this.options.tokens) return first;
    this.options.tokens.invalidate();
    return this.send(method, path, body);
  }

  private async send(method: string, path: string, body: unknown): Promise<UpstreamResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    propagation.inject(context.active(), headers);
    if (this.options.tokens) headers['authorization'] = `Bearer ${await this.options.tokens.getToken()}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    const url = new URL(path, this.options.baseUrl);
    const done = timeOutboundCall(this.options.registry, {
      upstream: this.options.upstream ?? this.options.name,
      url,
      method,
    });
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      done(0);
      throw new UpstreamUnavailableError(this.options.name, String(error));
    }
    // Headers are in: the latency an edge adds, as on the server side (body time is the caller's).
    done(response.status);
    if (response.status >= 502 && response.status <= 504) {
      // An unread body keeps its connection busy until the garbage collector finds it.
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamUnavailableError(this.options.name, `HTTP ${response.status}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The timeout covers the body too, and a peer can reset mid-body: both are outages.
      throw new UpstreamUnavailableError(this.options.name, `reading the answer failed: ${String(error)}`);
    }
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }
}
