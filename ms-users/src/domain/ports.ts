import type { EventEnvelope } from '@marketshare/platform/contracts';

/**
 * What the use cases need from storage. The store implements these over MySQL; every method
 * that takes events writes them to the outbox in the same transaction as its own change.
 */

export type AccountRole = 'seller' | 'consumer' | 'admin';
export type AccountStatus = 'active' | 'deactivated';

export interface Profile {
  displayName: string | null;
  phone: string | null;
  address: string | null;
  website: string | null;
}

export interface Account extends Profile {
  id: string;
  /** As the person typed it; uniqueness and log-in ignore case. */
  username: string;
  /** Stored lowercased. */
  email: string;
  role: AccountRole;
  status: AccountStatus;
  companyName: string;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
  deactivationReason: string | null;
}

export type AccountChanges = Partial<Pick<Account, 'companyName' | 'email' | 'passwordHash' | keyof Profile>>;

/** The username or the email is already used by another account. */
export class DuplicateAccountError extends Error {
  override readonly name = 'DuplicateAccountError';
  constructor(readonly field: 'username' | 'email') {
    super(`duplicate ${field}`);
  }
}

export interface AccountRepository {
  /** Throws DuplicateAccountError when the username or email is taken. */
  insert(account: Account, events: readonly EventEnvelope[]): Promise<void>;
  findById(id: string): Promise<Account | undefined>;
  /** Case-insensitive match on the username, or on the email when `login` is one. */
  findByLogin(login: string): Promise<Account | undefined>;
  /** Which of the two is already taken, if any (a fast path; insert stays authoritative). */
  findTakenField(username: string, email: string): Promise<'username' | 'email' | undefined>;
  /** Throws DuplicateAccountError when a new email is taken. A new password hash also voids reset tokens. */
  update(id: string, changes: AccountChanges, updatedAt: Date): Promise<void>;
  /** Replaces a weaker hash of the same password; does nothing if the hash changed meanwhile. */
  upgradePasswordHash(id: string, oldHash: string, newHash: string): Promise<void>;
  /**
   * Marks an active account deactivated, voids its reset tokens and enqueues `events`,
   * atomically; false (and no events) when there is no such active account.
   */
  deactivate(id: string, reason: string, at: Date, events: readonly EventEnvelope[]): Promise<boolean>;
}

/** What the admin account search filters on; every given part must match. */
export interface AccountFilter {
  /** Part of the username, email, company name or display name, any case. */
  text?: string | undefined;
  role?: AccountRole | undefined;
  status?: AccountStatus | undefined;
}

/** A place in the newest-first order: the creation instant, the id breaking ties. */
export interface AccountPosition {
  createdAt: Date;
  id: string;
}

export interface AccountSearchRepository {
  /** Up to `limit` accounts matching `filter`, newest first (id descending on ties), strictly after `after`. */
  search(filter: AccountFilter, after: AccountPosition | undefined, limit: number): Promise<Account[]>;
}

export interface ThrottleState {
  failureCount: number;
  firstFailureAt: Date;
  lockedUntil: Date | null;
  /** How many times this key has been locked since it was last forgotten. */
  lockLevel: number;
}

export interface LoginThrottleRepository {
  read(key: string): Promise<ThrottleState | undefined>;
  /** Applies `next` to the current state under a row lock, so concurrent failures all count. */
  update(key: string, next: (current: ThrottleState | undefined) => ThrottleState): Promise<void>;
  clear(key: string): Promise<void>;
  /** Forgets keys untouched since `before`, so guessed usernames do not pile up. */
  purgeStale(before: Date): Promise<number>;
}

export interface ResetTokenRecord {
  id: string;
  accountId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface RedeemableReset {
  accountId: string;
  username: string;
  email: string;
}

export interface PasswordResetRepository {
  /** Voids the account's unused tokens, stores this one and enqueues `event`, atomically. */
  issue(token: ResetTokenRecord, event: EventEnvelope): Promise<void>;
  /** The active account behind an unused, unexpired, unvoided token. */
  findRedeemable(tokenHash: string, now: Date): Promise<RedeemableReset | undefined>;
  /**
   * Atomically: re-checks the token under a lock, sets the password, marks the token used,
   * voids the account's other tokens, clears `throttleKey` and enqueues the events `eventsFor`
   * makes for the account. False (and no events) when no longer redeemable.
   */
  redeem(
    tokenHash: string,
    now: Date,
    passwordHash: string,
    throttleKey: string,
    eventsFor: (accountId: string) => readonly EventEnvelope[],
  ): Promise<boolean>;
}

export type Clock = () => Date;
