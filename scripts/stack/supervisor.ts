/**
 * The supervisor's loop: restarts the processes of a stack that exit unexpectedly, like the
 * kubelet restarts a pod's containers. It watches every record that has a spawn spec (what the
 * stack spawned itself: services, frontend, Mongo stand-in, SMTP sink, gateway, Prometheus;
 * never the shared PostgreSQL, MariaDB or RabbitMQ), skips held ones (see holds.ts), and spawns
 * a dead one again after a back-off that doubles with each restart in the window; after the
 * restart limit within the window it gives up and marks the record crash-looping.
 *
 * It polls instead of relying on exit events because most processes it watches are not its
 * children (startStack spawned them). Every event is a JSON line in $STACK_DIR/logs/supervisor.log.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isHeld, withStateLock } from './holds.js';
import { readSupervisorRecord, supervisorLog, writeHeartbeat } from './supervisor-files.js';
import { isRecordAlive, readRecord, readRecords, readSpec, spawnDetached, writeRecord } from './procs.js';
import type { ProcessRecord } from './types.js';

export interface SupervisorSettings {
  /** How often the records are checked. */
  pollMs: number;
  /** Delay before the first restart in the window; doubles with each further one. */
  backoffMs: number;
  backoffMaxMs: number;
  /** After this many restarts within windowMs, the next exit is final (crash-looping). */
  restartLimit: number;
  /** Restarts older than this are forgotten: a process that stays up that long starts afresh. */
  windowMs: number;
}

/** The settings from the environment (see .env.example); throws on a value that is no count. */
export function supervisorSettings(env: NodeJS.ProcessEnv): SupervisorSettings {
  const read = (variable: string, fallback: number): number => {
    const raw = env[variable];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${variable}=${raw ?? ''} must be a whole number ≥ 0`);
    return value;
  };
  return {
    pollMs: 250,
    backoffMs: read('STACK_RESTART_BACKOFF_MS', 500),
    backoffMaxMs: read('STACK_RESTART_BACKOFF_MAX_MS', 30_000),
    restartLimit: read('STACK_RESTART_LIMIT', 5),
    windowMs: read('STACK_RESTART_WINDOW_MS', 120_000),
  };
}

interface Watch {
  /** The pid this watch is about; another pid in the record means someone else started it. */
  pid: number | null;
  /** When each restart in the window happened. */
  restarts: number[];
  /** Due time of the pending restart, once the death was noticed. */
  dueAt: number | null;
  reason: string;
  waitedForExit: boolean;
}

export class Supervisor {
  private readonly watches = new Map<string, Watch>();
  /** How the supervisor's own children ended, by pid (other processes' ends are unknown). */
  private readonly exits = new Map<number, string>();
  private readonly children = new Set<number>();

  constructor(
    private readonly stateDir: string,
    private readonly settings: SupervisorSettings,
  ) {}

  log(event: string, fields: Record<string, unknown> = {}): void {
    try {
      // No mkdir: that would bring back a removed state dir, and the loop ends on its absence.
      const line = JSON.stringify({ time: new Date().toISOString(), event, ...fields });
      appendFileSync(supervisorLog(this.stateDir), `${line}\n`);
    } catch {
      // The state dir is gone: the loop notices and ends.
    }
  }

  /** Milliseconds until the earliest pending restart is due (Infinity: none is). */
  nextDueIn(): number {
    const due = [...this.watches.values()].flatMap((watch) => (watch.dueAt === null ? [] : [watch.dueAt]));
    return Math.max(0, Math.min(...due) - Date.now());
  }

  /** One pass over every record; never throws. */
  async tick(): Promise<void> {
    let records: ProcessRecord[] = [];
    try {
      records = readRecords(this.stateDir);
    } catch (error) {
      this.log('error', { message: describe(error) });
    }
    const names = new Set(records.map((record) => record.name));
    for (const name of this.watches.keys()) if (!names.has(name)) this.watches.delete(name);
    for (const record of records) {
      try {
        await this.check(record);
      } catch (error) {
        this.log('error', { name: record.name, message: describe(error) });
      }
    }
  }

  private async check(record: ProcessRecord): Promise<void> {
    const { name, pid } = record;
    // Not spawned by the stack (shared, no spec), given up on, or held: nothing to restart.
    if (
      pid === null ||
      record.shared === true ||
      record.crashLooping !== undefined ||
      readSpec(this.stateDir, name) === null ||
      isHeld(this.stateDir, name)
    ) {
      this.watches.delete(name);
      return;
    }
    let watch = this.watches.get(name);
    if (watch === undefined || watch.pid !== pid) {
      watch = { pid, restarts: [], dueAt: null, reason: '', waitedForExit: false };
      this.watches.set(name, watch);
    }
    if (await isRecordAlive(record)) {
      watch.dueAt = null;
      return;
    }
    // A child of ours seen dead before its exit event: one pass later it is known why it ended.
    if (this.children.has(pid) && !this.exits.has(pid) && !watch.waitedForExit) {
      watch.waitedForExit = true;
      return;
    }
    const now = Date.now();
    watch.restarts = watch.restarts.filter((at) => now - at < this.settings.windowMs);
    if (watch.dueAt === null) {
      watch.reason = this.exits.get(pid) ?? 'process gone';
      if (watch.restarts.length >= this.settings.restartLimit) {
        await this.giveUp(record, watch);
        return;
      }
      const delay = Math.min(
        this.settings.backoffMs * 2 ** watch.restarts.length,
        this.settings.backoffMaxMs,
      );
      watch.dueAt = now + delay;
      this.log('exited', { name, pid: record.pid, reason: watch.reason, restartInMs: delay });
    }
    if (now >= watch.dueAt) await this.restart(record, watch);
  }

  private async restart(record: ProcessRecord, watch: Watch): Promise<void> {
    const { name } = record;
    const now = Date.now();
    // Counted before spawning, so a spawn that throws backs off and reaches the limit too.
    watch.restarts.push(now);
    watch.dueAt = null;
    const attempt = watch.restarts.length;
    const next = await withStateLock(this.stateDir, () => {
      const current = readRecord(this.stateDir, name);
      const spec = readSpec(this.stateDir, name);
      // Stopped, held or started by someone else meanwhile: not ours to restart any more.
      if (current === null || current.pid !== record.pid || spec === null || isHeld(this.stateDir, name))
        return null;
      // The leader is dead; what else was in its group (a worker) would hold the port. Only the
      // group: the bare pid may belong to an unrelated process by now.
      if (current.group) killGroup(record.pid);
      const spawned = spawnDetached(this.stateDir, spec, `supervisor: restart ${attempt} (${watch.reason})`);
      const pid = spawned.pid;
      this.children.add(pid);
      spawned.child.once('exit', (code, sig) => {
        this.exits.set(pid, code === null ? `killed by ${sig ?? 'a signal'}` : `exited with code ${code}`);
      });
      const updated: ProcessRecord = {
        ...current,
        pid,
        startTime: spawned.startTime,
        startedAt: new Date(now).toISOString(),
        restarts: (current.restarts ?? 0) + 1,
        lastRestartAt: new Date(now).toISOString(),
      };
      writeRecord(this.stateDir, updated);
      return updated;
    });
    if (next === null) {
      this.watches.delete(name);
      return;
    }
    watch.pid = next.pid;
    watch.waitedForExit = false;
    if (record.pid !== null) {
      this.exits.delete(record.pid);
      this.children.delete(record.pid);
    }
    this.log('restart', {
      name,
      oldPid: record.pid,
      newPid: next.pid,
      attempt,
      restarts: next.restarts,
      reason: watch.reason,
    });
  }

  private async giveUp(record: ProcessRecord, watch: Watch): Promise<void> {
    const why = `${watch.restarts.length} restarts within ${this.settings.windowMs / 1000} s, last: ${watch.reason}`;
    const marked = await withStateLock(this.stateDir, () => {
      const current = readRecord(this.stateDir, record.name);
      if (current === null || current.pid !== record.pid) return false;
      writeRecord(this.stateDir, { ...current, crashLooping: why });
      return true;
    });
    this.watches.delete(record.name);
    if (marked) this.log('crash-looping', { name: record.name, pid: record.pid, reason: why });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the loop until SIGTERM/SIGINT, or until its stack is gone (state dir removed) or its own
 * record names another process (stopped, or replaced by a newer supervisor).
 */
export async function runSupervisor(stateDir: string, settings: SupervisorSettings): Promise<void> {
  const supervisor = new Supervisor(stateDir, settings);
  let stopping = false;
  let inTick = false;
  const stop = (sig: string): void => {
    supervisor.log('stopping', { pid: process.pid, signal: sig });
    stopping = true;
    // Between ticks nothing is half done; during one, the loop exits when it ends.
    if (!inTick) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Never crash on a bug or a failed call: log it and keep supervising.
  process.on('uncaughtException', (error) => supervisor.log('error', { message: describe(error) }));
  process.on('unhandledRejection', (error) => supervisor.log('error', { message: describe(error) }));
  supervisor.log('started', { pid: process.pid, settings });
  const startedAt = Date.now();
  while (!stopping) {
    inTick = true;
    await supervisor.tick();
    inTick = false;
    if (stopping) break;
    const own = readSupervisorRecord(stateDir);
    const gone = !existsSync(stateDir) || (own !== null && own.pid !== process.pid);
    // The record is written just after the spawn: allow the spawner a moment.
    if (gone || (own === null && Date.now() - startedAt > 10_000)) {
      supervisor.log('exiting', {
        pid: process.pid,
        reason: 'the stack was stopped or has another supervisor',
      });
      break;
    }
    writeHeartbeat(stateDir);
    // A restart due before the next poll is made on time, not up to a poll late.
    await sleep(Math.min(settings.pollMs, supervisor.nextDueIn()));
  }
  process.exit(0);
}

function killGroup(pid: number | null): void {
  if (pid === null) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // No process is left in it.
  }
}
