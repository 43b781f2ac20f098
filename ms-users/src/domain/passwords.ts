import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import bcrypt from 'bcrypt';
import { DomainError } from './errors.js';

/** bcrypt reads at most 72 bytes; longer input would be silently truncated, so it is refused. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_CHARACTERS = 8;

function loadCommonPasswords(): ReadonlySet<string> {
  const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
  return new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('# ')));
}

const COMMON_PASSWORDS = loadCommonPasswords();

/** Whether bcrypt sees the whole password (no truncation at 72 bytes or at a NUL). */
export function isHashablePassword(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES && !password.includes('\u0000');
}

export interface PasswordContext {
  /** Words tied to the account (username, email): a password equal to one is guessable. */
  accountWords?: readonly string[];
}

/**
 * The password policy of DESIGN.md: length and a deny list, no composition rules.
 * Throws a DomainError naming `field` when the password is refused.
 */
export function assertAcceptablePassword(
  password: string,
  field: string,
  context: PasswordContext = {},
): void {
  const refuse = (code: string, message: string): never => {
    throw new DomainError('invalid', code, message, field);
  };
  // Counted in code points, so a character outside the BMP counts once.
  if ([...password].length < MIN_PASSWORD_CHARACTERS) {
    refuse('password_too_short', `The password must have at least ${MIN_PASSWORD_CHARACTERS} characters.`);
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    refuse('password_too_long', `The password must not exceed ${MAX_PASSWORD_BYTES} bytes in UTF-8.`);
  }
  // bcrypt implementations stop at a NUL byte, which would shorten the password silently.
  if (password.includes('\u0000'))
    refuse('password_invalid', 'The password must not contain NUL characters.');
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered))
    refuse('password_too_common', 'This password is too common; choose another.');
  if ((context.accountWords ?? []).some((word) => word.toLowerCase() === lowered)) {
    refuse('password_too_common', 'The password must not be your username or email.');
  }
}

/**
 * bcrypt at the configured cost. `verifyOrDummy` always runs one comparison, against a
 * throwaway hash of the same cost when there is no account, so timing does not tell
 * whether a username exists.
 */
export class PasswordHasher {
  private readonly dummyHash: Promise<string>;

  constructor(readonly cost: number) {
    this.dummyHash = bcrypt.hash(randomBytes(24).toString('base64'), cost);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  async verifyOrDummy(password: string, hash: string | undefined): Promise<boolean> {
    // bcrypt would truncate a longer password and could then match on its first 72 bytes.
    const comparable = hash !== undefined && isHashablePassword(password);
    const matches = await bcrypt.compare(password, comparable ? hash : await this.dummyHash);
    return comparable && matches;
  }

  /** True when a stored hash is weaker than today's cost and should be replaced on next login. */
  needsRehash(hash: string): boolean {
    return bcrypt.getRounds(hash) < this.cost;
  }
}
