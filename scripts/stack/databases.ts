/**
 * Databases and one user per service, each granted only its own database. Done with the
 * mysql and psql clients as the servers' administrators (root over TCP with an empty password,
 * or the unix socket when we are root on a fresh install), so nothing here needs node_modules.
 */
import { userInfo } from 'node:os';
import { requireCommand, run, runChecked } from './exec.js';
import { secret } from './secrets.js';
import { INFRA } from './types.js';
import type { Secrets } from './types.js';

/** MySQL/MariaDB databases: service name, database name, secret holding the password. */
export const MYSQL_DATABASES = [
  { service: 'ms-auth', database: 'auth', passwordKey: 'MYSQL_PASSWORD_MS_AUTH' },
  { service: 'ms-users', database: 'users', passwordKey: 'MYSQL_PASSWORD_MS_USERS' },
  { service: 'ms-email', database: 'email', passwordKey: 'MYSQL_PASSWORD_MS_EMAIL' },
] as const;

export const POSTGRES_DATABASES = [
  { service: 'ms-products', database: 'products', passwordKey: 'POSTGRES_PASSWORD_MS_PRODUCTS' },
] as const;

/** Database user of a service: `<prefix>ms_auth`. */
export function dbUser(prefix: string, service: string): string {
  return `${prefix}${service.replace(/-/g, '_')}`;
}

// Identifiers come from validated prefixes and fixed names; passwords are hex. Checked anyway.
function ident(name: string): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database identifier: ${name}`);
  return name;
}

function literal(value: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(value)) throw new Error('unsafe SQL literal');
  return `'${value}'`;
}

// --- MySQL / MariaDB ---------------------------------------------------------------------

const MYSQL_HOSTS = ['localhost', '127.0.0.1'];

async function mysqlAdminArgs(): Promise<{ command: string; args: string[] }> {
  const command = requireCommand('mysql', 'apt-get install mariadb-client');
  const tcp = ['--protocol=TCP', '-h', INFRA.mysql.host, '-P', String(INFRA.mysql.port), '-u', 'root'];
  if ((await run(command, [...tcp, '-e', 'SELECT 1'], { timeoutMs: 15_000 })).code === 0) {
    return { command, args: tcp };
  }
  // A fresh Debian install authenticates root@localhost by unix socket.
  if (userInfo().uid === 0) return { command, args: ['-u', 'root'] };
  throw new Error('cannot connect to MariaDB as root (127.0.0.1:3306, empty password)');
}

export async function mysqlAdmin(sql: string): Promise<string> {
  const { command, args } = await mysqlAdminArgs();
  return runChecked(command, [...args, '--batch', '--skip-column-names'], { input: sql, timeoutMs: 60_000 });
}

export async function provisionMysql(prefix: string, secrets: Secrets): Promise<void> {
  const statements: string[] = [];
  for (const { service, database, passwordKey } of MYSQL_DATABASES) {
    const db = ident(`${prefix}${database}`);
    const user = ident(dbUser(prefix, service));
    const password = literal(secret(secrets, passwordKey));
    statements.push(
      `CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
    );
    for (const host of MYSQL_HOSTS) {
      statements.push(
        `CREATE USER IF NOT EXISTS '${user}'@'${host}' IDENTIFIED BY ${password};`,
        `ALTER USER '${user}'@'${host}' IDENTIFIED BY ${password};`,
        `GRANT ALL PRIVILEGES ON \`${db}\`.* TO '${user}'@'${host}';`,
      );
    }
  }
  await mysqlAdmin(statements.join('\n'));
}

export async function dropMysql(prefix: string): Promise<void> {
  const statements: string[] = [];
  for (const { service, database } of MYSQL_DATABASES) {
    statements.push(`DROP DATABASE IF EXISTS \`${ident(`${prefix}${database}`)}\`;`);
    for (const host of MYSQL_HOSTS) {
      statements.push(`DROP USER IF EXISTS '${ident(dbUser(prefix, service))}'@'${host}';`);
    }
  }
  await mysqlAdmin(statements.join('\n'));
}

// --- PostgreSQL --------------------------------------------------------------------------

async function psql(sql: string, database = 'postgres'): Promise<string> {
  const command = requireCommand('psql', 'apt-get install postgresql-client');
  const common = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database];
  const tcp = ['-h', INFRA.postgres.host, '-p', String(INFRA.postgres.port), '-U', 'postgres', '-w'];
  const viaTcp = await run(command, [...tcp, ...common, '-c', sql], { timeoutMs: 60_000 });
  if (viaTcp.code === 0) return viaTcp.stdout;
  if (userInfo().uid === 0) {
    // A fresh Debian install: peer authentication on the socket as the postgres user.
    const runuser = requireCommand('runuser', 'part of util-linux');
    const args = ['-u', 'postgres', '--', command, '-p', String(INFRA.postgres.port), ...common, '-c', sql];
    return runChecked(runuser, args, { timeoutMs: 60_000, cwd: '/' });
  }
  throw new Error(`psql failed: ${viaTcp.stderr.trim()}`);
}

export async function provisionPostgres(prefix: string, secrets: Secrets): Promise<void> {
  for (const { service, database, passwordKey } of POSTGRES_DATABASES) {
    const db = ident(`${prefix}${database}`);
    const user = ident(dbUser(prefix, service));
    const password = literal(secret(secrets, passwordKey));
    await psql(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') ` +
        `THEN CREATE ROLE ${user} LOGIN; END IF; END $$; ` +
        `ALTER ROLE ${user} WITH LOGIN PASSWORD ${password};`,
    );
    const exists = await psql(`SELECT 1 FROM pg_database WHERE datname = '${db}'`);
    if (exists.trim() !== '1') {
      const created = await psql(`CREATE DATABASE ${db} OWNER ${user}`).catch((error: unknown) => error);
      // Two stacks starting at once may race on CREATE DATABASE; the loser finds it there.
      if (created instanceof Error && !/already exists/.test(created.message)) throw created;
    }
    await psql(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC; GRANT ALL ON DATABASE ${db} TO ${user};`);
  }
}

export async function dropPostgres(prefix: string): Promise<void> {
  for (const { service, database } of POSTGRES_DATABASES) {
    await psql(`DROP DATABASE IF EXISTS ${ident(`${prefix}${database}`)} WITH (FORCE)`);
    await psql(`DROP ROLE IF EXISTS ${ident(dbUser(prefix, service))}`);
  }
}

/** Creates (or updates the passwords of) every database and service user of a stack. */
export async function provisionDatabases(prefix: string, secrets: Secrets): Promise<void> {
  await Promise.all([provisionMysql(prefix, secrets), provisionPostgres(prefix, secrets)]);
}

export async function dropDatabases(prefix: string): Promise<void> {
  await Promise.all([dropMysql(prefix), dropPostgres(prefix)]);
}
