/**
 * The stack runner as a module: an isolated stack (own state dir, random ports, database
 * prefix, vhost) with the supporting processes only, started twice, stopped and purged.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from '../stack/exec.js';
import { StackError, startStack, stackStatus, stopStack } from '../stack/index.js';
import type { StackInfo } from '../stack/index.js';
import { httpStatus, isPortOpen } from '../stack/net.js';
import { isPidAlive } from '../stack/procs.js';

const silent = (): void => undefined;
// Shared servers are stopped too when this stack had to start them and nobody else uses them.
const SHARED = ['postgresql', 'mariadb', 'rabbitmq'];

async function mysqlLines(sql: string): Promise<string[]> {
  const result = await run('mysql', [
    '--protocol=TCP',
    '-h',
    '127.0.0.1',
    '-u',
    'root',
    '-N',
    '-B',
    '-e',
    sql,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split('\n').filter((line) => line !== '');
}

async function pgLines(sql: string): Promise<string[]> {
  const result = await run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-w', '-X', '-At', '-c', sql]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split('\n').filter((line) => line !== '');
}

describe('stack runner (isolated stack, supporting processes only)', function () {
  this.timeout(240_000);
  const id = `${process.pid}`;
  const prefix = `t${id}_`;
  const vhost = `stacktest-${id}`;
  let stateDir = '';
  let stack: StackInfo | undefined;

  before(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'stack-test-'));
  });

  after(async () => {
    await stopStack(stateDir, { purge: true, log: silent }).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts on random ports with its own databases, users, vhost and secrets', async () => {
    stack = await startStack({
      stateDir,
      randomPorts: true,
      dbPrefix: prefix,
      vhost,
      services: [],
      log: silent,
    });
    assert.equal(stack.dbPrefix, prefix);
    assert.equal(stack.rabbitmqUrl, `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`);
    assert.deepEqual(stack.services, []);
    assert.equal(await httpStatus(`${stack.urls.smtpWeb}/email`), 200);
    assert.equal(await httpStatus(`${stack.urls.prometheus}/-/ready`), 200);
    assert.equal(await httpStatus(stack.urls.haproxyMetrics), 200);
    assert.equal(await httpStatus(`${stack.urls.gateway}/api/auth/token`), 503);
    assert.ok(await isPortOpen(stack.ports.MONGO_PORT));

    const databases = await mysqlLines(`SHOW DATABASES LIKE '${prefix}%'`);
    assert.deepEqual(databases.sort(), [`${prefix}auth`, `${prefix}email`, `${prefix}users`]);
    const grants = await mysqlLines(`SHOW GRANTS FOR '${prefix}ms_auth'@'127.0.0.1'`);
    assert.ok(grants.some((grant) => grant.includes(`\`${prefix}auth\``)));
    assert.ok(!grants.some((grant) => grant.includes(`${prefix}users`)));
    assert.deepEqual(await pgLines(`SELECT datname FROM pg_database WHERE datname = '${prefix}products'`), [
      `${prefix}products`,
    ]);
    const vhosts = await run('rabbitmqctl', ['-q', 'list_vhosts', 'name']);
    assert.ok(vhosts.stdout.split('\n').includes(vhost));

    const secretsFile = path.join(stateDir, 'secrets.env');
    assert.equal(statSync(secretsFile).mode & 0o777, 0o600);
    assert.match(readFileSync(secretsFile, 'utf8'), /^CLIENT_SECRET_FRONTEND=[0-9a-f]{64}$/m);
  });

  it('a service user can log in with its generated password', async () => {
    assert.ok(stack !== undefined);
    const password = stack.secrets['MYSQL_PASSWORD_MS_USERS'] ?? '';
    const args = ['--protocol=TCP', '-h', '127.0.0.1', '-u', `${prefix}ms_users`, `-p${password}`];
    const result = await run('mysql', [...args, `${prefix}users`, '-N', '-e', 'SELECT 1']);
    assert.equal(result.code, 0, result.stderr);
  });

  it('a second start reuses what runs (same ports, same secrets, same pids)', async () => {
    assert.ok(stack !== undefined);
    const pidsBefore = (await stackStatus(stateDir)).processes.map((proc) => proc.pid);
    const again = await startStack({ stateDir, randomPorts: true, services: [], log: silent });
    assert.deepEqual(again.ports, stack.ports);
    assert.deepEqual(again.secrets, stack.secrets);
    assert.equal(again.dbPrefix, prefix);
    const pidsAfter = (await stackStatus(stateDir)).processes.map((proc) => proc.pid);
    assert.deepEqual(pidsAfter, pidsBefore);
  });

  it('refuses to start a second stack on ports in use, naming the port', async () => {
    assert.ok(stack !== undefined);
    const other = mkdtempSync(path.join(tmpdir(), 'stack-test-other-'));
    try {
      await assert.rejects(
        startStack({
          stateDir: other,
          randomPorts: true,
          ports: { GATEWAY_PORT: stack.ports.GATEWAY_PORT },
          services: [],
          log: silent,
        }),
        (error: unknown) =>
          error instanceof StackError &&
          error.message.includes(`port ${stack?.ports.GATEWAY_PORT} (gateway) is already in use`),
      );
      assert.equal((await stackStatus(other)).processes.length, 0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('a port held by a foreign process is reported too', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    const other = mkdtempSync(path.join(tmpdir(), 'stack-test-other-'));
    try {
      await assert.rejects(
        startStack({
          stateDir: other,
          randomPorts: true,
          ports: { SMTP_WEB_PORT: port },
          services: [],
          log: silent,
        }),
        new RegExp(`port ${port} \\(SMTP sink web UI\\) is already in use`),
      );
    } finally {
      holder.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('stops everything it started and purges its databases and vhost', async () => {
    assert.ok(stack !== undefined);
    const pids = (await stackStatus(stateDir)).processes.flatMap((proc) =>
      proc.pid === null ? [] : [proc.pid],
    );
    assert.ok(pids.length >= 4);
    const stopped = (await stopStack(stateDir, { purge: true, log: silent })).filter(
      (name) => !SHARED.includes(name),
    );
    // Zipkin is started first (its JVM boots while the rest starts), so it stops last.
    assert.deepEqual(stopped, ['gateway', 'prometheus', 'alertmanager', 'smtp', 'mongo', 'zipkin']);
    for (const pid of pids) assert.ok(!isPidAlive(pid), `pid ${pid} still alive`);
    assert.equal(await isPortOpen(stack.ports.GATEWAY_PORT), false);
    assert.deepEqual(await mysqlLines(`SHOW DATABASES LIKE '${prefix}%'`), []);
    assert.deepEqual(await mysqlLines(`SELECT user FROM mysql.user WHERE user LIKE '${prefix}%'`), []);
    assert.deepEqual(await pgLines(`SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`), []);
    const vhosts = await run('rabbitmqctl', ['-q', 'list_vhosts', 'name']);
    assert.ok(!vhosts.stdout.split('\n').includes(vhost));
    assert.equal(existsSync(stateDir), false);
  });
});
