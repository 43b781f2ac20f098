/** Starting, stopping and reporting the supervisor of a stack (see supervisor.ts). */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './config.js';
import { waitUntil } from './net.js';
import { isRecordAlive, spawnDetached, stopRecord, writeJsonAtomic } from './procs.js';
import {
  heartbeatFile,
  readHeartbeat,
  readSupervisorRecord,
  supervisorLog,
  supervisorRecordFile,
} from './supervisor-files.js';
import { supervisorSettings } from './supervisor.js';
import type { Logger, ProcessRecord } from './types.js';

export interface SupervisorStatus {
  running: boolean;
  pid: number | null;
  /** End of its last pass over the records (every 250 ms while it runs). */
  lastCheckAt: string | null;
  log: string;
}

/** False when STACK_SUPERVISOR=off: crashed processes then stay down (e.g. to inspect them). */
export function supervisorEnabled(env: NodeJS.ProcessEnv): boolean {
  return (env['STACK_SUPERVISOR'] ?? 'on') !== 'off';
}

async function runningSupervisor(stateDir: string): Promise<ProcessRecord | null> {
  const record = readSupervisorRecord(stateDir);
  return record !== null && (await isRecordAlive(record)) ? record : null;
}

/**
 * Starts the stack's supervisor unless one runs, and waits for its first pass over the records,
 * so that what is killed right after `npm start` returns is restarted already.
 */
export async function ensureSupervisor(stateDir: string, env: NodeJS.ProcessEnv, log: Logger): Promise<void> {
  const existing = await runningSupervisor(stateDir);
  if (existing !== null) {
    log(`supervisor: already running (pid ${existing.pid ?? '?'})`);
    return;
  }
  supervisorSettings(env); // a bad STACK_RESTART_* value fails the start, not the daemon
  const spec = {
    name: 'supervisor',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'stack', 'supervisor-main.ts'), stateDir],
    cwd: REPO_ROOT,
    env,
    ports: [],
  };
  rmSync(heartbeatFile(stateDir), { force: true });
  const { pid, startTime } = spawnDetached(stateDir, spec);
  const record: ProcessRecord = {
    name: 'supervisor',
    order: 0,
    pid,
    startTime,
    group: true,
    ports: [],
    log: supervisorLog(stateDir),
    stopCommand: null,
    startedAt: new Date().toISOString(),
  };
  writeJsonAtomic(supervisorRecordFile(stateDir), record);
  let exited = false;
  await waitUntil(
    async () => {
      exited = !(await isRecordAlive(record));
      return exited || readHeartbeat(stateDir)?.pid === pid;
    },
    20_000,
    100,
  );
  if (exited) log(`supervisor: exited at start; see ${record.log}`);
  else if (readHeartbeat(stateDir)?.pid !== pid) log(`supervisor: started (pid ${pid}), not checking yet`);
  else log(`supervisor: started (pid ${pid})`);
}

/** Stops the supervisor first of all, so it restarts nothing that is being stopped. */
export async function stopSupervisor(stateDir: string, log: Logger): Promise<boolean> {
  const record = readSupervisorRecord(stateDir);
  let stopped = false;
  if (record !== null && (await isRecordAlive(record))) {
    log(`stopping supervisor (pid ${record.pid ?? '?'})`);
    await stopRecord(record, 5_000);
    stopped = true;
  }
  rmSync(supervisorRecordFile(stateDir), { force: true });
  rmSync(heartbeatFile(stateDir), { force: true });
  return stopped;
}

export async function supervisorStatus(stateDir: string): Promise<SupervisorStatus> {
  const record = readSupervisorRecord(stateDir);
  const running = record !== null && (await isRecordAlive(record));
  const beat = readHeartbeat(stateDir);
  return {
    running,
    pid: record?.pid ?? null,
    lastCheckAt: running && beat?.pid === record?.pid ? (beat?.at ?? null) : null,
    log: supervisorLog(stateDir),
  };
}
