/** Processes the runner started: spawning detached, pid records, liveness, stopping. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './exec.js';
import { isPortOpen } from './net.js';
import type { ProcessRecord } from './types.js';

export function pidDir(stateDir: string): string {
  return path.join(stateDir, 'pids');
}

export function logDir(stateDir: string): string {
  return path.join(stateDir, 'logs');
}

export function logFile(stateDir: string, name: string): string {
  return path.join(logDir(stateDir), `${name}.log`);
}

/** Kernel start time of a pid (field 22 of /proc/<pid>/stat), or null when unknown. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
  // A zombie still answers kill(0) but is gone for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** True when the recorded process is still the one we started. */
export async function isRecordAlive(record: ProcessRecord): Promise<boolean> {
  if (record.pid === null) {
    const open = await Promise.all(record.ports.map((port) => isPortOpen(port)));
    return open.length > 0 && open.every(Boolean);
  }
  if (!isPidAlive(record.pid)) return false;
  if (record.startTime === null) return true;
  return processStartTime(record.pid) === record.startTime;
}

export function readRecords(stateDir: string): ProcessRecord[] {
  let files: string[];
  try {
    files = readdirSync(pidDir(stateDir)).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  const records: ProcessRecord[] = [];
  for (const file of files) {
    try {
      // The files are written by writeRecord below.
      records.push(JSON.parse(readFileSync(path.join(pidDir(stateDir), file), 'utf8')) as ProcessRecord);
    } catch {
      // A torn or foreign file: ignore it.
    }
  }
  return records.sort((a, b) => a.order - b.order);
}

export function readRecord(stateDir: string, name: string): ProcessRecord | null {
  return readRecords(stateDir).find((record) => record.name === name) ?? null;
}

/**
 * Written to a temporary name and renamed: the supervisor rewrites records while `npm stop` or
 * `npm run status` read them, and a reader must never see half a file (it would skip the record).
 */
export function writeJsonAtomic(
  file: string,
  value: unknown,
  options: { mode?: number; mkdir?: boolean } = {},
): void {
  if (options.mkdir ?? true) mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: options.mode ?? 0o644 });
  renameSync(tmp, file);
}

export function writeRecord(stateDir: string, record: ProcessRecord): void {
  writeJsonAtomic(path.join(pidDir(stateDir), `${record.name}.json`), record);
}

export function removeRecord(stateDir: string, name: string): void {
  rmSync(path.join(pidDir(stateDir), `${name}.json`), { force: true });
  rmSync(specFile(stateDir, name), { force: true });
}

/** The next start sequence number in this state dir. */
export function nextOrder(stateDir: string): number {
  return readRecords(stateDir).reduce((max, record) => Math.max(max, record.order), 0) + 1;
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  ports: number[];
}

/**
 * How each daemon was spawned, so the supervisor can spawn it again: $STACK_DIR/specs/<name>.json.
 * The environment holds the stack's secrets, hence mode 600 in a mode 700 directory.
 */
export function specFile(stateDir: string, name: string): string {
  return path.join(stateDir, 'specs', `${name}.json`);
}

export function writeSpec(stateDir: string, spec: DaemonSpec): void {
  const dir = path.dirname(specFile(stateDir, spec.name));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeJsonAtomic(specFile(stateDir, spec.name), spec, { mode: 0o600 });
}

export function readSpec(stateDir: string, name: string): DaemonSpec | null {
  try {
    return JSON.parse(readFileSync(specFile(stateDir, name), 'utf8')) as DaemonSpec; // written by writeSpec
  } catch {
    return null;
  }
}

export interface Spawned {
  child: ChildProcess;
  pid: number;
  startTime: string | null;
  log: string;
}

/**
 * Starts a detached process (own process group) logging to $STACK_DIR/logs/<name>.log, without
 * recording it; `note` goes into the log's header line (e.g. why it was started again).
 */
export function spawnDetached(stateDir: string, spec: DaemonSpec, note = 'starting'): Spawned {
  mkdirSync(logDir(stateDir), { recursive: true });
  const log = logFile(stateDir, spec.name);
  const fd = openSync(log, 'a');
  writeFileSync(fd, `\n--- ${new Date().toISOString()} ${note} ${spec.command} ${spec.args.join(' ')}\n`);
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.unref();
  child.on('error', () => {
    // Reported through the liveness check and the log; keeps an ENOENT from crashing us.
  });
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
  return { child, pid: child.pid, startTime: processStartTime(child.pid), log };
}

/** Starts a detached daemon and records it, with its spawn spec (what the supervisor watches). */
export function spawnDaemon(stateDir: string, spec: DaemonSpec): ProcessRecord {
  const { pid, startTime, log } = spawnDetached(stateDir, spec);
  writeSpec(stateDir, spec);
  const record: ProcessRecord = {
    name: spec.name,
    order: nextOrder(stateDir),
    pid,
    startTime,
    group: true,
    ports: spec.ports,
    log,
    stopCommand: null,
    startedAt: new Date().toISOString(),
  };
  writeRecord(stateDir, record);
  return record;
}

function signal(record: ProcessRecord, sig: NodeJS.Signals): void {
  if (record.pid === null) return;
  try {
    process.kill(record.group ? -record.pid : record.pid, sig);
  } catch {
    try {
      process.kill(record.pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/** Stops one recorded process: its stop command, or SIGTERM, a bounded wait, then SIGKILL. */
export async function stopRecord(record: ProcessRecord, graceMs = 10_000): Promise<void> {
  if (await isRecordAlive(record)) {
    if (record.stopCommand !== null) {
      const [command, ...args] = record.stopCommand;
      if (command !== undefined) await run(command, args, { timeoutMs: 90_000 });
    } else {
      signal(record, 'SIGTERM');
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (await isRecordAlive(record))) await sleep(200);
    if (record.pid !== null && (await isRecordAlive(record))) {
      signal(record, 'SIGKILL');
      await sleep(200);
    }
  }
}

/** The last lines of a log file (for failure messages). */
export function tailLog(file: string, lines = 40): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
