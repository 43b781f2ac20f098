/**
 * The build machines' servers take administrator logins over TCP without a password
 * (MariaDB root, PostgreSQL postgres with trust on 127.0.0.1), and the tests rely on it. A fresh
 * Debian install authenticates both by unix socket only; when we are root, align it once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { requireCommand, run, runChecked } from './exec.js';
import { INFRA } from './types.js';
import type { Logger } from './types.js';

export async function alignMysqlRoot(log: Logger): Promise<void> {
  const mysql = requireCommand('mysql', 'apt-get install mariadb-client');
  const tcp = ['--protocol=TCP', '-h', INFRA.mysql.host, '-P', String(INFRA.mysql.port), '-u', 'root'];
  if ((await run(mysql, [...tcp, '-e', 'SELECT 1'], { timeoutMs: 15_000 })).code === 0) return;
  if (userInfo().uid !== 0) return;
  log('MariaDB: allowing root@localhost over TCP with an empty password (socket login kept)');
  await runChecked(
    mysql,
    [
      '-u',
      'root',
      '-e',
      "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')",
    ],
    { timeoutMs: 30_000 },
  );
}

const TRUST_LINE = 'host all all 127.0.0.1/32 trust # marketshare local stack';

export async function alignPostgresTrust(log: Logger): Promise<void> {
  const psql = requireCommand('psql', 'apt-get install postgresql-client');
  const host = ['-h', INFRA.postgres.host, '-p', String(INFRA.postgres.port), '-U', 'postgres', '-w'];
  if ((await run(psql, [...host, '-X', '-Atc', 'SELECT 1'], { timeoutMs: 15_000 })).code === 0) return;
  if (userInfo().uid !== 0) return;
  const asPostgres = (sql: string): Promise<string> =>
    runChecked(
      'runuser',
      ['-u', 'postgres', '--', psql, '-p', String(INFRA.postgres.port), '-X', '-Atc', sql],
      {
        timeoutMs: 30_000,
        cwd: '/',
      },
    );
  const hbaFile = (await asPostgres('SHOW hba_file')).trim();
  const current = readFileSync(hbaFile, 'utf8');
  if (!current.includes(TRUST_LINE)) {
    log(`PostgreSQL: trusting 127.0.0.1 logins (${hbaFile})`);
    writeFileSync(hbaFile, `${TRUST_LINE}\n${current}`);
  }
  await asPostgres('SELECT pg_reload_conf()');
}
