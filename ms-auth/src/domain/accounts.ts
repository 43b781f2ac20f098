import type { Role } from '@marketshare/platform';

/** An account as ms-users describes it; ms-auth keeps no copy. */
export interface Account {
  id: string;
  username: string;
  role: Role;
  /** `active`, or whatever ms-users calls an account that may not sign in. */
  status: string;
}

export type CredentialCheck =
  | { outcome: 'valid'; account: Account }
  | { outcome: 'invalid' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

/**
 * ms-users, as ms-auth needs it. Passwords are checked there (the hash never leaves it).
 * An unreachable directory throws platform's UpstreamUnavailableError.
 */
export interface AccountDirectory {
  verifyCredentials(username: string, password: string): Promise<CredentialCheck>;
  findAccount(id: string): Promise<Account | undefined>;
}

export const isActive = (account: Account): boolean => account.status === 'active';
