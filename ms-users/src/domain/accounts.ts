import { randomUUID } from 'node:crypto';
import { EventTypes, newEnvelope, type EventEnvelope } from '@marketshare/platform/contracts';
import { DomainError } from './errors.js';
import { assertAcceptablePassword, type PasswordHasher } from './passwords.js';
import {
  DuplicateAccountError,
  type Account,
  type AccountChanges,
  type AccountRepository,
  type AccountRole,
  type Clock,
  type Profile,
} from './ports.js';
import type { LoginGuard } from './credentials.js';

export interface NewAccount {
  username: string;
  email: string;
  password: string;
  companyName: string;
}

export type AccountUpdate = Partial<Pick<Account, 'companyName' | 'email'> & Profile> & {
  newPassword?: string;
  currentPassword?: string;
};

export interface AccountServiceDeps {
  accounts: AccountRepository;
  hasher: PasswordHasher;
  /** Checks a current password with the same throttle as log-in, so a stolen token cannot guess it. */
  loginGuard: LoginGuard;
  clock: Clock;
}

const SELF_DEACTIVATION_REASON = 'deactivated by the account holder';

/** Registration, profile changes and deactivation. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  /** Public sign-up: sellers and consumers only; announces `account.created` with the insert. */
  async register(input: NewAccount & { role: 'seller' | 'consumer' }): Promise<Account> {
    if (!['seller', 'consumer'].includes(input.role)) {
      throw new DomainError(
        'forbidden',
        'role_not_allowed',
        'Only seller and consumer accounts can register.',
        'role',
      );
    }
    return this.create(input, input.role, (account) => [
      newEnvelope(
        EventTypes.AccountCreated,
        {
          accountId: account.id,
          email: account.email,
          username: account.username,
          companyName: account.companyName,
          role: input.role,
        },
        account.createdAt,
      ),
    ]);
  }

  /** Admins come only from the operator's command line, never from sign-up; nobody is emailed. */
  createAdmin(input: NewAccount): Promise<Account> {
    return this.create(input, 'admin', () => []);
  }

  get(accountId: string): Promise<Account> {
    return this.existing(accountId);
  }

  async updateOwn(accountId: string, update: AccountUpdate): Promise<Account> {
    const account = await this.existing(accountId);
    if (account.status !== 'active') {
      throw new DomainError('conflict', 'account_deactivated', 'A deactivated account cannot be changed.');
    }
    const { newPassword, currentPassword, ...fields } = update;
    const changes: AccountChanges = { ...fields };
    if (fields.email !== undefined) changes.email = fields.email.toLowerCase();
    if (changes.email === account.email) delete changes.email;
    // Taking over an account means changing where reset mails go or the password: both need the password.
    if (newPassword !== undefined || changes.email !== undefined) {
      await this.deps.loginGuard.confirmPassword(account, currentPassword);
    }
    if (newPassword !== undefined) {
      assertAcceptablePassword(newPassword, 'newPassword', { accountWords: accountWords(account) });
      changes.passwordHash = await this.deps.hasher.hash(newPassword);
    }
    if (Object.keys(changes).length > 0) {
      await this.deps.accounts.update(account.id, changes, this.deps.clock()).catch(translateDuplicate);
    }
    return this.existing(account.id);
  }

  /** Idempotent: deactivating a deactivated account changes nothing. */
  async deactivateOwn(accountId: string): Promise<void> {
    const account = await this.existing(accountId);
    if (account.status === 'active') await this.deactivate(account.id, SELF_DEACTIVATION_REASON);
  }

  async deactivateByAdmin(accountId: string, reason: string): Promise<Account> {
    const account = await this.existing(accountId);
    if (account.status === 'active') await this.deactivate(account.id, reason);
    return this.existing(account.id);
  }

  /** Only active sellers have a public profile; anything else is indistinguishable from absent. */
  async findPublicSeller(accountId: string): Promise<Account> {
    const account = await this.deps.accounts.findById(accountId);
    if (!account || account.role !== 'seller' || account.status !== 'active') throw notFound();
    return account;
  }

  /** Its unexpired access tokens are revoked with it, everywhere they are verified. */
  private async deactivate(accountId: string, reason: string): Promise<void> {
    const now = this.deps.clock();
    await this.deps.accounts.deactivate(accountId, reason, now, [
      subjectRevoked(accountId, now, 'deactivated'),
    ]);
  }

  private async existing(accountId: string): Promise<Account> {
    const account = await this.deps.accounts.findById(accountId);
    if (!account) throw notFound();
    return account;
  }

  private async create(
    input: NewAccount,
    role: AccountRole,
    eventsFor: (account: Account) => EventEnvelope[],
  ): Promise<Account> {
    const email = input.email.toLowerCase();
    assertAcceptablePassword(input.password, 'password', {
      accountWords: [input.username, email, email.split('@')[0] ?? email],
    });
    // Answer a taken name before spending a bcrypt hash on it; the unique keys stay the guard.
    const taken = await this.deps.accounts.findTakenField(input.username, email);
    if (taken) translateDuplicate(new DuplicateAccountError(taken));
    const now = this.deps.clock();
    const account: Account = {
      id: randomUUID(),
      username: input.username,
      email,
      role,
      status: 'active',
      companyName: input.companyName,
      displayName: null,
      phone: null,
      address: null,
      website: null,
      passwordHash: await this.deps.hasher.hash(input.password),
      createdAt: now,
      updatedAt: now,
      deactivatedAt: null,
      deactivationReason: null,
    };
    await this.deps.accounts.insert(account, eventsFor(account)).catch(translateDuplicate);
    return account;
  }
}

/** `auth.subject_revoked`: every access token of the account issued until `at` stops working. */
export function subjectRevoked(
  accountId: string,
  at: Date,
  reason: 'deactivated' | 'password_reset',
): EventEnvelope {
  return newEnvelope(
    EventTypes.AuthSubjectRevoked,
    { subject: accountId, revokedBefore: at.toISOString(), reason },
    at,
  );
}

export function accountWords(account: Pick<Account, 'username' | 'email'>): string[] {
  return [account.username, account.email, account.email.split('@')[0] ?? account.email];
}

function notFound(): DomainError {
  return new DomainError('not_found', 'account_not_found', 'No such account.');
}

function translateDuplicate(error: unknown): never {
  if (error instanceof DuplicateAccountError) {
    throw new DomainError(
      'conflict',
      `${error.field}_taken`,
      `This ${error.field} is already registered.`,
      error.field,
    );
  }
  throw error;
}
