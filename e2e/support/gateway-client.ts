import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';

/** A bcrypt hash in any form ($2a$, $2b$, $2y$ and a cost). */
const BCRYPT_HASH = /\$2[aby]\$\d\d\$/;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
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
    } = {},
  ): Promise<JsonResponse> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers['authorization'] = `Bearer ${init.token}`;
    const response = await httpRequest(`${this.baseUrl}${path}`, {
      method: init.method,
      headers,
      json: init.json,
      body: init.body,
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
