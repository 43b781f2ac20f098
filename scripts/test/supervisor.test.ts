/**
 * The supervisor with tiny stand-in daemons (`node -e` HTTP servers answering their pid):
 * restart after kill -9 with count and log, back-off, the restart limit, holds (stopService,
 * startService), and stopStack taking everything down for good. No databases involved.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  PORT_DEFAULTS,
  SERVICES,
  startService,
  stackStatus,
  stopService,
  stopStack,
} from '../stack/index.js';
import type { ServiceSpec } from '../stack/index.js';
import { writeConfig } from '../stack/config.js';
import { hold, release } from '../stack/holds.js';
import { freePorts, isPortOpen, waitUntil } from '../stack/net.js';
import { isPidAlive, readRecord, readSpec, spawnDaemon, specFile, writeSpec } from '../stack/procs.js';
import { ensureSupervisor } from '../stack/supervisor-control.js';
import { readSupervisorRecord, supervisorLog } from '../stack/supervisor-files.js';
import { request } from './helpers.js';

const silent = (): void => undefined;

// CommonJS for `node -e`. Exits at once while CRASH_FLAG names an existing file (a boot crash).
const DAEMON = `
const fs = require('node:fs');
const http = require('node:http');
if (process.env.CRASH_FLAG && fs.existsSync(process.env.CRASH_FLAG)) {
  console.error('stand-in: crash at start');
  process.exit(3);
}
const server = http.createServer((req, res) => res.end(String(process.pid)));
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

interface LogEvent {
  time: string;
  event: string;
  name?: string;
  oldPid?: number;
  newPid?: number;
  attempt?: number;
  reason?: string;
  restartInMs?: number;
}

describe('supervisor (stand-in daemons)', function () {
  this.timeout(60_000);
  let stateDir = '';
  let ports: number[] = [];
  const flag = (name: string): string => path.join(stateDir, `${name}.crash`);

  const events = (name?: string): LogEvent[] =>
    readFileSync(supervisorLog(stateDir), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogEvent) // the supervisor's JSON lines
      .filter((event) => name === undefined || event.name === name);

  const pidOf = (name: string): number | null => readRecord(stateDir, name)?.pid ?? null;

  /** Waits until name runs under a pid other than `old` and answers on its port with it. */
  async function restarted(
    name: string,
    old: number | null,
    port: number,
    timeoutMs: number,
  ): Promise<number> {
    let pid: number | null = null;
    const back = await waitUntil(async () => {
      pid = pidOf(name);
      if (pid === null || pid === old) return false;
      return (await request(port, '/').catch(() => null))?.body === String(pid);
    }, timeoutMs);
    assert.ok(back && pid !== null, `${name} is not back within ${timeoutMs} ms`);
    return pid;
  }

  function standIn(name: string, port: number): number {
    const record = spawnDaemon(stateDir, {
      name,
      command: process.execPath,
      args: ['-e', DAEMON],
      cwd: stateDir,
      env: { ...process.env, PORT: String(port), CRASH_FLAG: flag(name) },
      ports: [port],
    });
    assert.ok(record.pid !== null);
    return record.pid;
  }

  before(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'supervisor-test-'));
    ports = await freePorts(5);
    ['alpha', 'beta', 'gamma'].forEach((name, index) => standIn(name, ports[index] ?? 0));
    for (const port of ports.slice(0, 3)) assert.ok(await waitUntil(() => isPortOpen(port), 5_000));
    const env = {
      ...process.env,
      STACK_RESTART_BACKOFF_MS: '200',
      STACK_RESTART_BACKOFF_MAX_MS: '800',
      STACK_RESTART_LIMIT: '3',
      STACK_RESTART_WINDOW_MS: '30000',
    };
    await ensureSupervisor(stateDir, env, silent);
    assert.ok((await stackStatus(stateDir)).supervisor.running);
  });

  after(async () => {
    await stopStack(stateDir, { log: silent }).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps the spawn specs (they hold secrets) private', () => {
    assert.equal(statSync(specFile(stateDir, 'alpha')).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(specFile(stateDir, 'alpha'))).mode & 0o777, 0o700);
  });

  it('restarts a process killed with SIGKILL, counts and logs each restart', async () => {
    const [port = 0] = ports;
    const first = pidOf('alpha');
    assert.ok(first !== null);
    process.kill(first, 'SIGKILL');
    const second = await restarted('alpha', first, port, 5_000);
    let status = (await stackStatus(stateDir)).processes.find((proc) => proc.name === 'alpha');
    assert.equal(status?.state, 'running');
    assert.equal(status.restarts, 1);
    assert.ok(status.lastRestartAt !== null);

    process.kill(second, 'SIGKILL'); // now a child of the supervisor: its exit status is known
    const third = await restarted('alpha', second, port, 5_000);
    status = (await stackStatus(stateDir)).processes.find((proc) => proc.name === 'alpha');
    assert.equal(status?.restarts, 2);
    const restarts = events('alpha').filter((event) => event.event === 'restart');
    assert.deepEqual(
      restarts.map(({ oldPid, newPid, attempt, reason }) => ({ oldPid, newPid, attempt, reason })),
      [
        { oldPid: first, newPid: second, attempt: 1, reason: 'process gone' },
        { oldPid: second, newPid: third, attempt: 2, reason: 'killed by SIGKILL' },
      ],
    );
    assert.match(readFileSync(path.join(stateDir, 'logs', 'alpha.log'), 'utf8'), /supervisor: restart 2/);
  });

  it('backs off between restarts and gives up after the restart limit (crash-looping)', async () => {
    writeFileSync(flag('beta'), '');
    const pid = pidOf('beta');
    assert.ok(pid !== null);
    process.kill(pid, 'SIGKILL');
    const gaveUp = await waitUntil(
      async () =>
        (await stackStatus(stateDir)).processes.find((proc) => proc.name === 'beta')?.state ===
        'crash-looping',
      15_000,
    );
    assert.ok(gaveUp, 'beta is not marked crash-looping');
    const beta = events('beta');
    const exited = beta.filter((event) => event.event === 'exited');
    assert.deepEqual(
      exited.map((event) => event.restartInMs),
      [200, 400, 800],
      'the delay doubles with each restart in the window',
    );
    assert.deepEqual(
      beta.filter((event) => event.event === 'restart').map((event) => event.reason),
      ['process gone', 'exited with code 3', 'exited with code 3'],
    );
    // Each restart waited its back-off after the exit was noticed.
    beta.forEach((event, index) => {
      const next = beta[index + 1];
      if (event.event === 'exited' && next?.event === 'restart')
        assert.ok(Date.parse(next.time) - Date.parse(event.time) >= (event.restartInMs ?? 0) - 30);
    });
    assert.equal(beta.at(-1)?.event, 'crash-looping');
    const status = (await stackStatus(stateDir)).processes.find((proc) => proc.name === 'beta');
    assert.equal(status?.restarts, 3);
    assert.match(status.crashLooping ?? '', /3 restarts within 30 s, last: exited with code 3/);
    await sleep(1_500);
    assert.equal(events('beta').length, beta.length, 'nothing more is tried');
    assert.ok((await stackStatus(stateDir)).supervisor.running, 'the supervisor keeps running');
  });

  it('leaves a held process alone, and takes it back when released', async () => {
    const port = ports[2] ?? 0;
    const pid = pidOf('gamma');
    assert.ok(pid !== null);
    await hold(stateDir, ['gamma'], 'test');
    process.kill(pid, 'SIGKILL');
    await sleep(1_500);
    assert.equal(pidOf('gamma'), pid, 'not restarted while held');
    assert.equal((await stackStatus(stateDir)).processes.find((proc) => proc.name === 'gamma')?.held, true);
    release(stateDir, ['gamma']);
    await restarted('gamma', pid, port, 5_000);
  });

  it('does not undo stopService', async () => {
    const port = ports[2] ?? 0;
    assert.equal(await stopService('gamma', { stateDir, log: silent }), true);
    await sleep(1_500);
    assert.equal(readRecord(stateDir, 'gamma'), null);
    assert.equal(await isPortOpen(port), false, 'gamma stays stopped');
  });

  it('startService: a crash at start is reported, not retried; once ready it is supervised', async () => {
    const port = ports[3] ?? 0;
    const real = SERVICES.find((spec) => spec.name === 'ms-email');
    assert.ok(real !== undefined);
    const table: ServiceSpec[] = [
      { ...real, dir: stateDir, nodeArgs: ['-e', DAEMON], env: () => ({ CRASH_FLAG: flag('ms-email') }) },
    ];
    writeConfig(stateDir, {
      ports: { ...PORT_DEFAULTS, MS_EMAIL_PORT: port },
      dbPrefix: '',
      vhost: null,
      mongoUrl: '',
      externalMongo: true,
      services: [{ name: 'ms-email', port }],
    });
    writeFileSync(flag('ms-email'), '');
    await assert.rejects(startService('ms-email', { stateDir, table, log: silent }), /ms-email exited/);
    await sleep(1_500);
    assert.equal(readRecord(stateDir, 'ms-email'), null);
    assert.deepEqual(events('ms-email'), [], 'the supervisor never saw it');

    rmSync(flag('ms-email'));
    await startService('ms-email', { stateDir, table, log: silent });
    const pid = pidOf('ms-email');
    assert.ok(pid !== null);
    process.kill(pid, 'SIGKILL');
    await restarted('ms-email', pid, port, 5_000);
  });

  it('a restart that cannot even spawn is logged and backed off; the supervisor keeps going', async () => {
    const pid = standIn('delta', ports[4] ?? 0);
    const spec = readSpec(stateDir, 'delta');
    assert.ok(spec !== null);
    writeSpec(stateDir, { ...spec, command: path.join(stateDir, 'no-such-program') });
    await sleep(500); // seen alive first
    process.kill(pid, 'SIGKILL');
    const gaveUp = await waitUntil(
      async () => readRecord(stateDir, 'delta')?.crashLooping !== undefined,
      10_000,
    );
    assert.ok(gaveUp, 'delta is not marked crash-looping');
    const delta = events('delta');
    assert.equal(delta.filter((event) => event.event === 'error').length, 3, JSON.stringify(delta));
    assert.ok((await stackStatus(stateDir)).supervisor.running, 'the supervisor keeps running');
    const alpha = await request(ports[0] ?? 0, '/');
    assert.equal(alpha.body, String(pidOf('alpha')), 'the others are still looked after');
  });

  it('stopStack stops the supervisor and everything else; nothing comes back', async () => {
    const supervisor = readSupervisorRecord(stateDir)?.pid ?? null;
    assert.ok(supervisor !== null);
    const pids = (await stackStatus(stateDir)).processes.flatMap((proc) => (proc.alive ? [proc.pid] : []));
    assert.equal(pids.length, 2); // alpha, ms-email (beta gave up, gamma was stopped)
    const stopped = await stopStack(stateDir, { log: silent });
    assert.deepEqual(stopped.sort(), ['alpha', 'ms-email']);
    assert.ok(!isPidAlive(supervisor), 'the supervisor is stopped');
    assert.equal(events().at(-1)?.event, 'stopping', 'it ended on SIGTERM, cleanly');
    await sleep(1_500);
    for (const pid of pids) assert.ok(pid === null || !isPidAlive(pid), `pid ${pid} still alive`);
    for (const port of ports) assert.equal(await isPortOpen(port), false, `port ${port} open`);
    const status = await stackStatus(stateDir);
    assert.deepEqual(status.processes, []);
    assert.equal(status.supervisor.running, false);
  });

  it('ends on its own when its stack is gone (state dir removed)', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'supervisor-orphan-'));
    try {
      await ensureSupervisor(other, process.env, silent);
      const pid = readSupervisorRecord(other)?.pid ?? null;
      assert.ok(pid !== null && isPidAlive(pid));
      rmSync(other, { recursive: true, force: true });
      assert.ok(await waitUntil(async () => !isPidAlive(pid), 5_000), 'the supervisor lingers');
    } finally {
      rmSync(other, { recursive: true, force: true });
      assert.equal(existsSync(other), false);
    }
  });
});
