import type { JsonResponse } from '@marketshare/platform/testing';

/** A bcrypt hash in any form ($2a$, $2b$, $2y$ and a cost). */
const BCRYPT_HASH = /\$2[aby]\$\d\d\$/;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

/** One request, with the response read and parsed as JSON when it is JSON. */
async function send(url: string, init: RequestInit): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? Reflect.get(body, name) : undefined;
}

/** Talks to the stack only through its gateway, as a browser or an integration would. */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    private readonly frontendSecret: string,
  ) {}

  async call(
    path: string,
    init: {
      method?: string;
      token?: string;
      json?: unknown;
      body?: string;
      headers?: Record<string, string>;
      /** Bound on the whole exchange; default 15 s. */
      timeoutMs?: number;
    } = {},
  ): Promise<JsonResponse> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers['authorization'] = `Bearer ${init.token}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(init.json);
    }
    const response = await send(`${this.baseUrl}${path}`, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
    // No response may ever carry a password hash: every call through the gateway checks it.
    if (BCRYPT_HASH.test(response.text)) throw new Error(`${path} answered with a password hash`);
    return response;
  }

  private basic(clientId = 'frontend', secret = this.frontendSecret): string {
    return `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  }

  async oauth(
    endpoint: 'token' | 'introspect' | 'revoke',
    form: Record<string, string>,
    options: { clientAuth?: boolean } = {},
  ): Promise<JsonResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (options.clientAuth ?? true) headers['authorization'] = this.basic();
    return this.call(`/api/auth/${endpoint}`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(form).toString(),
    });
  }

  async login(username: string, password: string): Promise<JsonResponse> {
    return this.oauth('token', { grant_type: 'password', username, password });
  }

  async loginTokens(username: string, password: string): Promise<TokenPair> {
    const response = await this.login(username, password);
    if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
    return response.body as TokenPair; // shape asserted by the token tests
  }

  async register(account: {
    role: 'seller' | 'consumer';
    username: string;
    email: string;
    companyName: string;
    password: string;
  }): Promise<JsonResponse> {
    return this.call('/api/users', { method: 'POST', json: account });
  }
}
