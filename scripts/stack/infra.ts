/**
 * Shared infrastructure: PostgreSQL, MariaDB and RabbitMQ. A server that already accepts
 * connections is reused and never stopped by us; one we start is recorded in the state dir.
 */
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { alignMysqlRoot, alignPostgresTrust } from './admin-access.js';
import { requireCommand, run, runChecked } from './exec.js';
import { isPortOpen, waitForPort } from './net.js';
import {
  isRecordAlive,
  logFile,
  nextOrder,
  processStartTime,
  readRecord,
  removeRecord,
  tailLog,
  writeRecord,
} from './procs.js';
import { INFRA } from './types.js';
import type { Logger, ProcessRecord } from './types.js';

const START_TIMEOUT_MS = 90_000;

export type InfraState = 'reused' | 'started' | 'already running';

function ourRecord(stateDir: string, name: string, ports: number[], partial: Partial<ProcessRecord>): void {
  const record: ProcessRecord = {
    name,
    order: nextOrder(stateDir),
    pid: null,
    startTime: null,
    group: false,
    ports,
    log: logFile(stateDir, name),
    stopCommand: null,
    startedAt: new Date().toISOString(),
    shared: true,
    ...partial,
  };
  writeRecord(stateDir, record);
}

async function reuseOrStart(
  stateDir: string,
  name: string,
  port: number,
  /** Starts the server; false when it turned out to be running (booting) already, not ours. */
  start: () => Promise<boolean>,
): Promise<InfraState> {
  const record = readRecord(stateDir, name);
  if (await isPortOpen(port)) {
    if (record !== null && (await isRecordAlive(record))) return 'already running';
    if (record !== null) removeRecord(stateDir, name); // stale: someone else runs it now
    return 'reused';
  }
  const ours = await start();
  if (!(await waitForPort(port, START_TIMEOUT_MS))) {
    throw new Error(
      `${name} did not accept connections on port ${port}:\n${tailLog(logFile(stateDir, name))}`,
    );
  }
  return ours ? 'started' : 'reused';
}

/** The PostgreSQL cluster version (the single directory under /etc/postgresql). */
function postgresVersion(): string {
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').sort() : [];
  const version = versions.at(-1);
  if (version === undefined) throw new Error('PostgreSQL is not installed (no /etc/postgresql/<version>)');
  return version;
}

export function ensurePostgres(stateDir: string): Promise<InfraState> {
  return reuseOrStart(stateDir, 'postgresql', INFRA.postgres.port, async () => {
    const version = postgresVersion();
    const pgctl = requireCommand('pg_ctlcluster', 'apt-get install postgresql');
    ensureRunDir('/var/run/postgresql', 'postgres');
    mkdirSync(path.dirname(logFile(stateDir, 'postgresql')), { recursive: true });
    const result = await run(pgctl, ['--skip-systemctl-redirect', version, 'main', 'start'], {
      timeoutMs: START_TIMEOUT_MS,
    });
    if (result.code !== 0) {
      if (/already running/i.test(result.stderr)) return false;
      throw new Error(`pg_ctlcluster start failed (exit ${result.code}): ${result.stderr.trim()}`);
    }
    const pid = readPidFile(`/var/lib/postgresql/${version}/main/postmaster.pid`);
    ourRecord(stateDir, 'postgresql', [INFRA.postgres.port], {
      pid,
      startTime: pid === null ? null : processStartTime(pid),
      log: `/var/log/postgresql/postgresql-${version}-main.log`,
      stopCommand: [pgctl, '--skip-systemctl-redirect', version, 'main', 'stop', '-m', 'fast'],
    });
    return true;
  });
}

export function ensureMariadb(stateDir: string): Promise<InfraState> {
  return reuseOrStart(stateDir, 'mariadb', INFRA.mysql.port, async () => {
    const mariadbd = '/usr/sbin/mariadbd';
    if (!existsSync(mariadbd)) throw new Error('MariaDB is not installed (apt-get install mariadb-server)');
    const ssd = requireCommand('start-stop-daemon', 'part of dpkg');
    ensureRunDir('/run/mysqld', 'mysql');
    const pidFile = path.join(stateDir, 'pids', 'mariadb.pid');
    const log = logFile(stateDir, 'mariadb');
    mkdirSync(path.dirname(pidFile), { recursive: true });
    mkdirSync(path.dirname(log), { recursive: true });
    await runChecked(ssd, [
      '--start',
      '--oknodo',
      '--background',
      '--make-pidfile',
      '--pidfile',
      pidFile,
      '--output',
      log,
      '--exec',
      mariadbd,
      '--',
      // Debian's config may leave `user` to systemd; mariadbd refuses to run as root.
      ...(userInfo().uid === 0 ? ['--user=mysql'] : []),
    ]);
    const pid = readPidFile(pidFile);
    // --oknodo: a mariadbd already running (still starting up) is left alone and not ours.
    if (pid === null) return false;
    ourRecord(stateDir, 'mariadb', [INFRA.mysql.port], {
      pid,
      startTime: processStartTime(pid),
      group: true,
      log,
    });
    return true;
  });
}

const RABBITMQ_CONF = '/etc/rabbitmq/rabbitmq.conf';

/** Keeps the metrics listener on loopback (the plugin binds every interface by default). */
function rabbitmqMetricsOnLoopback(): void {
  if (userInfo().uid !== 0 || !existsSync(path.dirname(RABBITMQ_CONF))) return;
  const current = existsSync(RABBITMQ_CONF) ? readFileSync(RABBITMQ_CONF, 'utf8') : '';
  if (/^\s*prometheus\.tcp\.ip\s*=/m.test(current)) return;
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  appendFileSync(RABBITMQ_CONF, `${separator}prometheus.tcp.ip = 127.0.0.1\n`);
}

export async function ensureRabbitmq(stateDir: string, log: Logger): Promise<InfraState> {
  rabbitmqMetricsOnLoopback();
  const state = await reuseOrStart(stateDir, 'rabbitmq', INFRA.rabbitmq.port, async () => {
    const server = requireCommand('rabbitmq-server', 'apt-get install rabbitmq-server');
    const ctl = requireCommand('rabbitmqctl', 'apt-get install rabbitmq-server');
    // The node may be up with its app stopped (tests simulate broker outages with
    // `rabbitmqctl stop_app`) or still booting: then it is not ours, just wait for it.
    if (await rabbitmqNodeUp()) {
      log('rabbitmq: the node is up but not accepting connections yet; waiting');
      return false;
    }
    await runChecked(server, ['-detached'], { timeoutMs: START_TIMEOUT_MS });
    await run(ctl, ['-q', 'await_startup', '--timeout', '90'], { timeoutMs: 100_000 });
    const pid = await rabbitmqPid(ctl);
    ourRecord(stateDir, 'rabbitmq', [INFRA.rabbitmq.port], {
      pid,
      startTime: pid === null ? null : processStartTime(pid),
      log: '/var/log/rabbitmq',
      stopCommand: [ctl, 'stop'],
    });
    return true;
  });
  if (!(await isPortOpen(INFRA.rabbitmq.prometheusPort))) {
    log('enabling the rabbitmq_prometheus plugin');
    const plugins = requireCommand('rabbitmq-plugins', 'apt-get install rabbitmq-server');
    await runChecked(plugins, ['enable', 'rabbitmq_prometheus'], { timeoutMs: START_TIMEOUT_MS });
    if (!(await waitForPort(INFRA.rabbitmq.prometheusPort, 60_000))) {
      throw new Error(`RabbitMQ metrics did not come up on port ${INFRA.rabbitmq.prometheusPort}`);
    }
  }
  return state;
}

async function rabbitmqNodeUp(): Promise<boolean> {
  const diagnostics = requireCommand('rabbitmq-diagnostics', 'apt-get install rabbitmq-server');
  return (await run(diagnostics, ['-q', 'ping'], { timeoutMs: 30_000 })).code === 0;
}

/** The broker's OS pid (the Erlang VM), so its record's liveness does not depend on the port. */
async function rabbitmqPid(ctl: string): Promise<number | null> {
  const result = await run(ctl, ['-q', 'eval', 'list_to_integer(os:getpid()).'], { timeoutMs: 30_000 });
  const pid = Number(result.stdout.trim());
  return result.code === 0 && Number.isInteger(pid) && pid > 0 ? pid : null;
}

export async function ensureVhost(vhost: string): Promise<void> {
  const ctl = requireCommand('rabbitmqctl', 'apt-get install rabbitmq-server');
  const list = await runChecked(ctl, ['-q', 'list_vhosts', 'name'], { timeoutMs: 60_000 });
  if (!list.split('\n').some((line) => line.trim() === vhost)) {
    await runChecked(ctl, ['add_vhost', vhost], { timeoutMs: 60_000 });
  }
  const { user } = INFRA.rabbitmq;
  await runChecked(ctl, ['set_permissions', '-p', vhost, user, '.*', '.*', '.*'], { timeoutMs: 60_000 });
}

export async function deleteVhost(vhost: string): Promise<void> {
  const ctl = requireCommand('rabbitmqctl', 'apt-get install rabbitmq-server');
  await run(ctl, ['delete_vhost', vhost], { timeoutMs: 60_000 });
}

/** Starts (or reuses) PostgreSQL, MariaDB and RabbitMQ with its Prometheus plugin. */
export async function ensureInfra(stateDir: string, log: Logger): Promise<void> {
  const [pg, maria] = await Promise.all([ensurePostgres(stateDir), ensureMariadb(stateDir)]);
  log(`postgresql: ${pg} (127.0.0.1:${INFRA.postgres.port})`);
  log(`mariadb: ${maria} (127.0.0.1:${INFRA.mysql.port})`);
  await Promise.all([alignPostgresTrust(log), alignMysqlRoot(log)]);
  const rabbit = await ensureRabbitmq(stateDir, log);
  log(`rabbitmq: ${rabbit} (127.0.0.1:${INFRA.rabbitmq.port}, metrics on ${INFRA.rabbitmq.prometheusPort})`);
}

function readPidFile(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]?.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** /run is a tmpfs: recreate a daemon's socket dir, owned by its user, when we run as root. */
function ensureRunDir(dir: string, owner: string): void {
  if (existsSync(dir) || userInfo().uid !== 0) return;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  const entry = passwd.find((line) => line.startsWith(`${owner}:`))?.split(':');
  const uid = Number(entry?.[2]);
  const gid = Number(entry?.[3]);
  if (Number.isInteger(uid) && Number.isInteger(gid)) chownSync(dir, uid, gid);
  if (!statSync(dir).isDirectory()) throw new Error(`could not create ${dir}`);
}
