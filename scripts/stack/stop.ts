/** stopStack and stackStatus: only what this state dir recorded, in reverse start order. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { readConfig, resolveStateDir, stackUrls } from './config.js';
import { dropDatabases } from './databases.js';
import { deleteVhost } from './infra.js';
import { clientConnections } from './portcheck.js';
import { isHeld, releaseAll } from './holds.js';
import { isRecordAlive, readRecords, removeRecord, stopRecord } from './procs.js';
import { stopSupervisor, supervisorStatus } from './supervisor-control.js';
import type { SupervisorStatus } from './supervisor-control.js';
import type { Logger, StackConfig, StackUrls } from './types.js';

export interface StopOptions {
  /** Stop only these names (used to undo a failed start). */
  only?: string[];
  /**
   * Also drop this stack's databases, database users and vhost, and delete the state dir.
   * For isolated test stacks; refused for a stack without a database prefix.
   */
  purge?: boolean;
  log?: Logger;
}

const defaultLog: Logger = (message) => console.log(`[stack] ${message}`);

/**
 * Stops what the stack in stateDir started; returns the names stopped (the supervisor aside:
 * without `only`, it is stopped first, so that it restarts nothing of what is being stopped).
 */
export async function stopStack(stateDir?: string, options: StopOptions = {}): Promise<string[]> {
  const dir = resolveStateDir(stateDir);
  const log = options.log ?? defaultLog;
  const whole = options.only === undefined;
  const supervisorStopped = whole && (await stopSupervisor(dir, log));
  // Read after the supervisor is gone: a process it has just restarted is in them.
  const records = readRecords(dir)
    .filter((record) => options.only === undefined || options.only.includes(record.name))
    .reverse();
  const stopped: string[] = [];
  for (const record of records) {
    const alive = await isRecordAlive(record);
    const clients = alive && record.shared === true ? await inUse(record.ports) : 0;
    if (clients > 0) {
      // Another stack or test uses it: leave it to them (and forget it: it is no longer ours).
      log(`leaving ${record.name} running: ${clients} client connection(s) from others`);
    } else if (alive) {
      log(`stopping ${record.name}${record.pid === null ? '' : ` (pid ${record.pid})`}`);
      await stopRecord(record);
      stopped.push(record.name);
    }
    removeRecord(dir, record.name);
  }
  rmSync(path.join(dir, 'pids', 'mariadb.pid'), { force: true });
  if (whole) releaseAll(dir);
  if (records.length === 0 && !supervisorStopped) log('nothing to stop');
  if (options.purge === true) await purge(dir, log);
  return stopped;
}

async function inUse(ports: number[]): Promise<number> {
  const counts = await Promise.all(ports.map((port) => clientConnections(port)));
  return counts.reduce((sum, count) => sum + count, 0);
}

async function purge(dir: string, log: Logger): Promise<void> {
  const config = readConfig(dir);
  if (config !== null && config.dbPrefix === '') {
    log('not purging: this stack has no database prefix (its databases are the default ones)');
    return;
  }
  if (config !== null) {
    await dropDatabases(config.dbPrefix);
    log(`dropped databases and users with prefix '${config.dbPrefix}'`);
    if (config.vhost !== null) {
      await deleteVhost(config.vhost);
      log(`deleted vhost ${config.vhost}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

export interface ProcessStatus {
  name: string;
  pid: number | null;
  alive: boolean;
  /** 'crash-looping': dead, and the supervisor gave up on it (its restart limit). */
  state: 'running' | 'not running' | 'crash-looping';
  /** Held by stopService/startService/startStack: the supervisor leaves it alone for now. */
  held: boolean;
  /** Times the supervisor restarted it, and when it last did. */
  restarts: number;
  lastRestartAt: string | null;
  crashLooping: string | null;
  ports: number[];
  log: string;
}

export interface StackStatus {
  stateDir: string;
  config: StackConfig | null;
  urls: StackUrls | null;
  processes: ProcessStatus[];
  supervisor: SupervisorStatus;
}

export async function stackStatus(stateDir?: string): Promise<StackStatus> {
  const dir = resolveStateDir(stateDir);
  const config = readConfig(dir);
  const processes = await Promise.all(
    readRecords(dir).map(async (record): Promise<ProcessStatus> => {
      const alive = await isRecordAlive(record);
      const looping = !alive && record.crashLooping !== undefined;
      return {
        name: record.name,
        pid: record.pid,
        alive,
        state: alive ? 'running' : looping ? 'crash-looping' : 'not running',
        held: isHeld(dir, record.name),
        restarts: record.restarts ?? 0,
        lastRestartAt: record.lastRestartAt ?? null,
        crashLooping: record.crashLooping ?? null,
        ports: record.ports,
        log: record.log,
      };
    }),
  );
  const supervisor = await supervisorStatus(dir);
  return { stateDir: dir, config, urls: config === null ? null : stackUrls(config), processes, supervisor };
}
