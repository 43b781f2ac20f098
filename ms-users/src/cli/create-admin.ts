/**
 * Creates an admin account. Admins never come from sign-up; an operator runs:
 *   npm run -w ms-users create-admin -- --username X --email Y --company Z
 * with the password in ADMIN_PASSWORD or on standard input (first line).
 */
import { parseArgs } from 'node:util';
import { ConfigError, Type, parseConfig, type Static } from '@marketshare/platform';
import { createMysqlPool, runMigrations } from '@marketshare/platform/mysql';
import { UsersConfigSchema } from '../config.js';
import { AccountService } from '../domain/accounts.js';
import { LoginGuard } from '../domain/credentials.js';
import { DomainError } from '../domain/errors.js';
import { PasswordHasher } from '../domain/passwords.js';
import { MysqlAccountRepository } from '../store/account-repository.js';
import { usersMigrations } from '../store/migrations.js';
import { MysqlLoginThrottleRepository } from '../store/throttle-repository.js';

const AdminConfigSchema = Type.Object({
  NODE_ENV: UsersConfigSchema.properties.NODE_ENV,
  MYSQL_URL: UsersConfigSchema.properties.MYSQL_URL,
  BCRYPT_COST: UsersConfigSchema.properties.BCRYPT_COST,
});

const USAGE = 'usage: create-admin --username NAME --email EMAIL --company "COMPANY NAME"';

async function readPassword(): Promise<string> {
  const fromEnv = process.env['ADMIN_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (process.stdin.isTTY) process.stderr.write('Password (input is shown; prefer ADMIN_PASSWORD): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    if (Buffer.concat(chunks).includes('\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function loadConfig(): Static<typeof AdminConfigSchema> {
  try {
    return parseConfig(AdminConfigSchema);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  let values: { username?: string; email?: string; company?: string };
  try {
    ({ values } = parseArgs({
      options: { username: { type: 'string' }, email: { type: 'string' }, company: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { username, email, company } = values;
  if (!username || !email || !company) fail(USAGE);
  if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username)) fail('username: 3–32 of a–z, 0–9, _ . -');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) fail('email: not an email address');
  if (company.trim() === '' || company.length > 200) fail('company: 1–200 characters');

  const config = loadConfig();
  const password = await readPassword();
  await runMigrations(config.MYSQL_URL, await usersMigrations());
  const pool = createMysqlPool(config.MYSQL_URL, { connectionLimit: 2 });
  try {
    const accounts = new MysqlAccountRepository(pool);
    const hasher = new PasswordHasher(config.BCRYPT_COST);
    const clock = () => new Date();
    // The guard is only consulted for profile changes, which this command never makes.
    const loginGuard = new LoginGuard({
      accounts,
      throttle: new MysqlLoginThrottleRepository(pool),
      hasher,
      clock,
      settings: { maxFailures: 5, failureWindowMs: 900_000, initialLockMs: 30_000, maxLockMs: 900_000 },
    });
    const service = new AccountService({ accounts, hasher, loginGuard, clock });
    const admin = await service.createAdmin({ username, email, password, companyName: company });
    process.stdout.write(`created admin ${admin.username} (${admin.id})\n`);
  } catch (error) {
    if (error instanceof DomainError) fail(`${error.field ?? 'error'}: ${error.message} (${error.code})`);
    throw error;
  } finally {
    await pool.end();
  }
}

await main();
