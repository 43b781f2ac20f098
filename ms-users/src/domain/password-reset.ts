import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EventTypes, newEnvelope } from '@marketshare/platform/contracts';
import { accountWords, subjectRevoked } from './accounts.js';
import { DomainError } from './errors.js';
import { assertAcceptablePassword, type PasswordHasher } from './passwords.js';
import type { AccountRepository, Clock, PasswordResetRepository } from './ports.js';
import { throttleKey } from './throttling.js';

export interface PasswordResetDeps {
  accounts: AccountRepository;
  resets: PasswordResetRepository;
  hasher: PasswordHasher;
  clock: Clock;
  /** Base address of the site; the emailed link is `${publicUrl}/reset-password?token=...`. */
  publicUrl: string;
  tokenTtlMs: number;
}

/** 256 random bits; only their SHA-256 is stored, so a database leak yields no usable token. */
const TOKEN_BYTES = 32;

export function hashResetToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Password reset by a one-time token sent by email (ms-email consumes the event). */
export class PasswordResetService {
  constructor(private readonly deps: PasswordResetDeps) {}

  /**
   * Issues a token for an active account with this email. Returns nothing either way, so
   * the caller's answer cannot reveal whether the email is registered.
   */
  async request(email: string): Promise<void> {
    const account = await this.deps.accounts.findByLogin(email.trim());
    if (!account || account.status !== 'active' || account.email !== email.trim().toLowerCase()) return;
    const now = this.deps.clock();
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.deps.tokenTtlMs);
    const resetUrl = `${this.deps.publicUrl.replace(/\/+$/, '')}/reset-password?token=${token}`;
    const event = newEnvelope(
      EventTypes.AccountPasswordResetRequested,
      {
        accountId: account.id,
        email: account.email,
        username: account.username,
        companyName: account.companyName,
        resetUrl,
        expiresAt: expiresAt.toISOString(),
      },
      now,
    );
    await this.deps.resets.issue(
      {
        id: randomUUID(),
        accountId: account.id,
        tokenHash: hashResetToken(token),
        createdAt: now,
        expiresAt,
      },
      event,
    );
  }

  /** Sets a new password with a token; the token works once, and a success lifts the log-in throttle. */
  async confirm(token: string, newPassword: string): Promise<void> {
    const tokenHash = hashResetToken(token);
    const pending = await this.deps.resets.findRedeemable(tokenHash, this.deps.clock());
    if (!pending) throw invalidToken();
    assertAcceptablePassword(newPassword, 'newPassword', { accountWords: accountWords(pending) });
    const passwordHash = await this.deps.hasher.hash(newPassword);
    const key = throttleKey(pending.username, pending.username);
    // Re-checked under a lock: of two concurrent confirmations only one succeeds. Whoever held
    // the old password may hold tokens too: those issued until now are revoked with it.
    const now = this.deps.clock();
    const redeemed = await this.deps.resets.redeem(tokenHash, now, passwordHash, key, (accountId) => [
      subjectRevoked(accountId, now, 'password_reset'),
    ]);
    if (!redeemed) throw invalidToken();
  }
}

function invalidToken(): DomainError {
  return new DomainError(
    'invalid',
    'invalid_reset_token',
    'The reset link is invalid, used or expired.',
    'token',
  );
}
