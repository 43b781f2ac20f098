import {
  ROLES,
  Type,
  UpstreamUnavailableError,
  checkSchema,
  type InternalHttpClient,
} from '@marketshare/platform';
import type { Account, AccountDirectory, CredentialCheck } from '../domain/accounts.js';

const AccountSchema = Type.Object({
  // ms-users may number accounts or use UUIDs; ms-auth treats the id as an opaque string.
  id: Type.Union([Type.String({ minLength: 1, maxLength: 191 }), Type.Integer()]),
  username: Type.String(),
  role: Type.Union(ROLES.map((role) => Type.Literal(role))),
  status: Type.String(),
});

const VerifyCredentialsResponse = Type.Union([
  Type.Object({ valid: Type.Literal(true), account: AccountSchema }),
  Type.Object({ valid: Type.Literal(false) }),
]);

/** When ms-users throttles without saying for how long. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

function retryAfterSeconds(header: string | null): number {
  if (header === null) return DEFAULT_RETRY_AFTER_SECONDS;
  const seconds = Number(header);
  if (Number.isInteger(seconds) && seconds >= 0) return Math.max(1, seconds);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

function unexpected(status: number, what: string): UpstreamUnavailableError {
  // A contract break is an outage from the client's point of view: it can only retry later.
  return new UpstreamUnavailableError('users', `unexpected ${what} (HTTP ${status})`);
}

function toAccount(account: {
  id: string | number;
  username: string;
  role: Account['role'];
  status: string;
}): Account {
  return { ...account, id: String(account.id) };
}

/** ms-users' internal endpoints, called with ms-auth's own service token. */
export class UsersDirectory implements AccountDirectory {
  constructor(private readonly http: InternalHttpClient) {}

  async verifyCredentials(username: string, password: string): Promise<CredentialCheck> {
    const response = await this.http.request('POST', '/internal/users/verify-credentials', {
      username,
      password,
    });
    if (response.status === 429) {
      return {
        outcome: 'throttled',
        retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
      };
    }
    // ms-users refuses credentials it would never accept (too long, ...) as bad input.
    if (response.status === 400) return { outcome: 'invalid' };
    if (response.status !== 200) throw unexpected(response.status, 'verify-credentials answer');
    const parsed = checkSchema(VerifyCredentialsResponse, response.body);
    if (!parsed.ok) throw unexpected(response.status, 'verify-credentials body');
    return parsed.value.valid
      ? { outcome: 'valid', account: toAccount(parsed.value.account) }
      : { outcome: 'invalid' };
  }

  async findAccount(id: string): Promise<Account | undefined> {
    const response = await this.http.request('GET', `/internal/users/${encodeURIComponent(id)}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw unexpected(response.status, 'account lookup answer');
    const parsed = checkSchema(AccountSchema, response.body);
    if (!parsed.ok) throw unexpected(response.status, 'account body');
    return toAccount(parsed.value);
  }
}
