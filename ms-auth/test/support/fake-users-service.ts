import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { InvalidTokenError, JwksVerifier, type Principal, type Role } from '@marketshare/platform';
import { readRequestText, sendJson } from '@marketshare/platform/testing';

export interface FakeAccount {
  id: string;
  username: string;
  password: string;
  role: Role;
  status: string;
}

export interface ReceivedCall {
  method: string;
  path: string;
  principal: Principal;
}

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;

/**
 * The two internal endpoints of ms-users, as their contract describes them. It checks the
 * caller's service token like ms-users does: against ms-auth's JWKS, with the scope each
 * endpoint needs.
 */
export class FakeUsersService {
  readonly accounts = new Map<string, FakeAccount>();
  /** username → Retry-After seconds */
  readonly throttled = new Map<string, number>();
  readonly calls: ReceivedCall[] = [];
  readonly refusedTokens: string[] = [];
  private verifier: JwksVerifier | undefined;
  private server: Server | undefined;
  url = '';

  addAccount(account: FakeAccount): FakeAccount {
    this.accounts.set(account.username, account);
    return account;
  }

  trustIssuer(options: { jwksUrl: string; issuer: string; audience: string }): void {
    this.verifier = new JwksVerifier({ ...options, minRefetchIntervalMs: 0 });
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) =>
        sendJson(response, 500, { error: String(error) }),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async authorize(
    request: IncomingMessage,
    scope: string,
  ): Promise<Principal | 'unauthorized' | 'forbidden'> {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !this.verifier) return 'unauthorized';
    try {
      const principal = await this.verifier.verify(token);
      return principal.scopes.has(scope) ? principal : 'forbidden';
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        this.refusedTokens.push(error.message);
        return 'unauthorized';
      }
      throw error;
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const method = request.method ?? 'GET';
    const isVerify = method === 'POST' && path === '/internal/users/verify-credentials';
    const lookup = method === 'GET' ? /^\/internal\/users\/([^/]+)$/.exec(path) : null;
    if (!isVerify && !lookup) return sendJson(response, 404, { code: 'not_found' });
    const principal = await this.authorize(request, isVerify ? 'users:verify_credentials' : 'users:read');
    if (principal === 'unauthorized') return sendJson(response, 401, { code: 'invalid_token' });
    if (principal === 'forbidden') return sendJson(response, 403, { code: 'insufficient_scope' });
    this.calls.push({ method, path, principal });

    if (lookup?.[1] !== undefined) {
      const id = decodeURIComponent(lookup[1]);
      const account = [...this.accounts.values()].find((candidate) => candidate.id === id);
      if (!account) return sendJson(response, 404, { code: 'not_found' });
      return sendJson(response, 200, {
        id: account.id,
        username: account.username,
        role: account.role,
        status: account.status,
      });
    }
    const body = JSON.parse(await readRequestText(request));
    const username = field(body, 'username');
    const password = field(body, 'password');
    if (typeof username !== 'string' || typeof password !== 'string')
      return sendJson(response, 400, { code: 'bad' });
    const retryAfter = this.throttled.get(username);
    if (retryAfter !== undefined) {
      return sendJson(
        response,
        429,
        { type: 'urn:marketshare:problem:too_many_requests', status: 429, code: 'too_many_requests' },
        { 'content-type': 'application/problem+json', 'retry-after': String(retryAfter) },
      );
    }
    const account = this.accounts.get(username);
    if (!account || account.password !== password) return sendJson(response, 200, { valid: false });
    const { id, role, status } = account;
    return sendJson(response, 200, { valid: true, account: { id, username, role, status } });
  }
}
