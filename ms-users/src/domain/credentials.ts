import { DomainError, LoginThrottledError } from './errors.js';
import type { PasswordHasher } from './passwords.js';
import type { Account, AccountRepository, Clock, LoginThrottleRepository } from './ports.js';
import { afterFailure, lockRemainingMs, throttleKey, type ThrottleSettings } from './throttling.js';

/** Why a check failed is kept for metrics and logs only: callers answer every failure alike. */
export type CredentialOutcome =
  'valid' | 'unknown_account' | 'wrong_password' | 'inactive_account' | 'throttled';

export type CredentialCheck =
  | { outcome: 'valid'; account: Account }
  | { outcome: 'throttled'; retryAfterSeconds: number }
  | { outcome: 'unknown_account' | 'wrong_password' | 'inactive_account' };

export interface LoginGuardDeps {
  accounts: AccountRepository;
  throttle: LoginThrottleRepository;
  hasher: PasswordHasher;
  settings: ThrottleSettings;
  clock: Clock;
}

/**
 * Password checks with failed-attempt throttling. Every check that is not throttled runs
 * bcrypt exactly once, whether or not the account exists, and records a failure under the
 * same kind of key, so neither timing nor throttling tells which usernames exist.
 */
export class LoginGuard {
  constructor(private readonly deps: LoginGuardDeps) {}

  async verifyCredentials(login: string, password: string): Promise<CredentialCheck> {
    const account = await this.deps.accounts.findByLogin(login.trim());
    const key = throttleKey(login, account?.username);
    const throttled = await this.throttledFor(key);
    if (throttled > 0) return { outcome: 'throttled', retryAfterSeconds: throttled };
    const matches = await this.deps.hasher.verifyOrDummy(password, account?.passwordHash);
    if (account && matches && account.status === 'active') {
      await this.deps.throttle.clear(key);
      await this.upgradeHash(account, password);
      return { outcome: 'valid', account };
    }
    await this.recordFailure(key);
    if (!account) return { outcome: 'unknown_account' };
    return { outcome: matches ? 'inactive_account' : 'wrong_password' };
  }

  /**
   * For changes that need the current password (new password, new email). Shares the
   * account's log-in throttle. Throws a DomainError naming `currentPassword`.
   */
  async confirmPassword(account: Account, currentPassword: string | undefined): Promise<void> {
    if (currentPassword === undefined) {
      throw new DomainError(
        'invalid',
        'current_password_required',
        'Give your current password to change your password or email.',
        'currentPassword',
      );
    }
    const key = throttleKey(account.username, account.username);
    const throttled = await this.throttledFor(key);
    if (throttled > 0) throw new LoginThrottledError(throttled);
    if (!(await this.deps.hasher.verifyOrDummy(currentPassword, account.passwordHash))) {
      await this.recordFailure(key);
      throw new DomainError(
        'invalid',
        'invalid_current_password',
        'The current password is wrong.',
        'currentPassword',
      );
    }
    await this.deps.throttle.clear(key);
  }

  private async throttledFor(key: string): Promise<number> {
    const remainingMs = lockRemainingMs(await this.deps.throttle.read(key), this.deps.clock());
    return Math.ceil(remainingMs / 1000);
  }

  private recordFailure(key: string): Promise<void> {
    return this.deps.throttle.update(key, (current) =>
      afterFailure(current, this.deps.clock(), this.deps.settings),
    );
  }

  /** A hash made at an older, lower cost is replaced while the plain password is at hand. */
  private async upgradeHash(account: Account, password: string): Promise<void> {
    if (!this.deps.hasher.needsRehash(account.passwordHash)) return;
    await this.deps.accounts.upgradePasswordHash(
      account.id,
      account.passwordHash,
      await this.deps.hasher.hash(password),
    );
  }
}
