import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwksVerifier } from '@marketshare/platform';
import type { Principal } from '@marketshare/platform';
import { TestTokenIssuer, readRequestText, sendJson, sendProblem } from '@marketshare/platform/testing';

/** An account as ms-users' `GET /internal/users/:id` answers it. */
export interface StandInAccount {
  id: string;
  username: string;
  role: 'seller' | 'consumer' | 'admin';
  status: 'active' | 'deactivated';
  email: string;
  companyName: string;
}

export const EMAIL_CLIENT_ID = 'ms-email';
export const EMAIL_CLIENT_SECRET = 'test-secret-of-the-ms-email-client';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A contract stand-in for ms-users (services never import each other), like ms-auth's tests
 * use: the internal account lookup answered as ms-users answers it — bearer token verified
 * against a real JWKS, scope `users:read` required (403 insufficient_scope), 400 for a
 * malformed id, 404 for an unknown one — plus the OAuth token endpoint that hands ms-email
 * its client-credentials token. It can go down and come back on the same port.
 */
export class UsersStandIn {
  readonly accounts = new Map<string, StandInAccount>();
  /** the principal of every lookup that passed authentication */
  readonly callers: Principal[] = [];
  readonly lookups: string[] = [];
  url = '';
  private port = 0;
  private server: Server | undefined;
  private readonly verifier: JwksVerifier;

  private constructor(private readonly issuer: TestTokenIssuer) {
    this.verifier = new JwksVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
    });
  }

  static async start(): Promise<UsersStandIn> {
    const standIn = new UsersStandIn(await new TestTokenIssuer().start());
    await standIn.up();
    return standIn;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  addAccount(overrides: Partial<StandInAccount> = {}): StandInAccount {
    const suffix = randomUUID().slice(0, 8);
    const account: StandInAccount = {
      id: randomUUID(),
      username: `user-${suffix}`,
      role: 'consumer',
      status: 'active',
      email: `user-${suffix}@example.test`,
      companyName: `Company ${suffix}`,
      ...overrides,
    };
    this.accounts.set(account.id, account);
    return account;
  }

  /** Listens (again) on the port it had, so ms-email's configured USERS_URL stays valid. */
  async up(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) =>
        sendJson(response, 500, { error: String(error) }),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port; // a listening TCP server has an AddressInfo
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** Connections are refused until up(): ms-users looks unreachable. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.down();
    await this.issuer.stop();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const text = await readRequestText(request);
    if (request.method === 'POST' && url.pathname === '/token') return this.token(request, text, response);
    const lookup = /^\/internal\/users\/([^/]+)$/.exec(url.pathname);
    if (request.method !== 'GET' || !lookup?.[1]) return sendProblem(response, 404, 'not_found');
    const principal = await this.authenticate(request);
    if (!principal) {
      response.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      return sendProblem(response, 401, 'invalid_token');
    }
    if (!principal.scopes.has('users:read')) return sendProblem(response, 403, 'insufficient_scope');
    // Only service tokens (client credentials) may look accounts up; the test checks which client.
    if (principal.kind !== 'service') return sendProblem(response, 403, 'forbidden_client');
    this.callers.push(principal);
    const id = decodeURIComponent(lookup[1]);
    this.lookups.push(id);
    if (!UUID.test(id)) return sendProblem(response, 400, 'validation_failed', { fields: ['params.id'] });
    const account = this.accounts.get(id);
    if (!account) return sendProblem(response, 404, 'not_found');
    sendJson(response, 200, { ...account });
  }

  private token(request: IncomingMessage, text: string, response: ServerResponse): void {
    const basic = Buffer.from(
      (request.headers.authorization ?? '').replace(/^Basic /, ''),
      'base64',
    ).toString();
    const [clientId, secret] = basic.split(':').map(decodeURIComponent);
    if (clientId !== EMAIL_CLIENT_ID || secret !== EMAIL_CLIENT_SECRET) {
      return sendJson(response, 401, { error: 'invalid_client' });
    }
    const form = new URLSearchParams(text);
    if (form.get('grant_type') !== 'client_credentials')
      return sendJson(response, 400, { error: 'unsupported_grant_type' });
    // ms-auth registers ms-email with users:read only.
    const scope = form.get('scope') ?? '';
    if (scope.split(' ').some((granted) => granted !== 'users:read')) {
      return sendJson(response, 400, { error: 'invalid_scope' });
    }
    sendJson(response, 200, {
      access_token: this.issuer.serviceToken(clientId, scope),
      token_type: 'Bearer',
      expires_in: 300,
    });
  }

  private async authenticate(request: IncomingMessage): Promise<Principal | undefined> {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return undefined;
    return this.verifier.verify(header.slice('Bearer '.length)).catch(() => undefined);
  }
}
