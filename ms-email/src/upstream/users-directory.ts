import { Type, UpstreamUnavailableError, checkSchema } from '@marketshare/platform';
import type { InternalHttpClient } from '@marketshare/platform';
import type { AccountContact, AccountDirectory } from '../domain/ports.js';

/** The part of ms-users' `GET /internal/users/:id` answer ms-email reads (extra fields are ignored). */
const AccountResponse = Type.Object({
  id: Type.Union([Type.String({ minLength: 1 }), Type.Integer()]),
  username: Type.String(),
  companyName: Type.String(),
  email: Type.String({ minLength: 3 }),
  role: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]),
});

export interface UsersDirectoryOptions {
  /** how long a looked-up account is reused: order emails come in bursts for the same people */
  cacheTtlMs: number;
  /** bounds the cache; the oldest entry goes first */
  maxEntries?: number;
  now?: () => number;
}

/**
 * ms-users' account lookup, called with ms-email's own client-credentials token (scope
 * `users:read`). Found accounts are cached briefly; unknown ones are not, so an account
 * created moments before its first order is found on the retry.
 */
export class UsersDirectory implements AccountDirectory {
  private readonly cache = new Map<string, { account: AccountContact; expiresAt: number }>();
  private readonly now: () => number;

  constructor(
    private readonly http: InternalHttpClient,
    private readonly options: UsersDirectoryOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async findAccount(id: string): Promise<AccountContact | undefined> {
    const cached = this.cache.get(id);
    if (cached && cached.expiresAt > this.now()) return cached.account;
    this.cache.delete(id);

    const response = await this.http.request('GET', `/internal/users/${encodeURIComponent(id)}`);
    // ms-users answers 400 for an id that is not one of its ids: no such account either.
    if (response.status === 404 || response.status === 400) return undefined;
    // 401/403 (our client misconfigured) and 5xx are outages to wait out, not reasons to drop mail.
    if (response.status !== 200) {
      throw new UpstreamUnavailableError('users', `account lookup answered HTTP ${response.status}`);
    }
    const parsed = checkSchema(AccountResponse, response.body);
    if (!parsed.ok) throw new UpstreamUnavailableError('users', 'account lookup answered an unexpected body');
    const account: AccountContact = { ...parsed.value, id: String(parsed.value.id) };
    this.remember(id, account);
    return account;
  }

  private remember(id: string, account: AccountContact): void {
    if (this.options.cacheTtlMs <= 0) return;
    const maxEntries = this.options.maxEntries ?? 10_000;
    while (this.cache.size >= maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
    this.cache.set(id, { account, expiresAt: this.now() + this.options.cacheTtlMs });
  }
}
