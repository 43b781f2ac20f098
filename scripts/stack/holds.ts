/**
 * Holds: processes the supervisor must leave alone, as marker files in $STACK_DIR/held/<name>.
 *
 * Whoever stops or starts a process on purpose (stopService, startService, startStack) holds
 * it first, so the supervisor neither undoes a deliberate stop nor loops a process that fails
 * while its starter still waits for its readiness (the starter reports that failure itself).
 *
 * Placing a hold and the supervisor's "not held? then spawn and record" step both run under
 * one short lock (a directory created exclusively): either the supervisor's restart is already
 * recorded when the hold is placed (and the stopper then finds and stops that new process), or
 * the supervisor sees the hold. Without it, a restart could slip between the two.
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A lock older than this was left by a process killed inside its few milliseconds of work. */
const STALE_LOCK_MS = 5_000;

function lockPath(stateDir: string): string {
  return path.join(stateDir, 'supervise.lock');
}

function holdFile(stateDir: string, name: string): string {
  return path.join(stateDir, 'held', name);
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

/** Runs fn (synchronous, short: no awaits inside) while holding the state dir's lock. */
export async function withStateLock<T>(stateDir: string, fn: () => T): Promise<T> {
  const lock = lockPath(stateDir);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
    } catch {
      // Released meanwhile.
    }
    await sleep(10);
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Marks the named processes as not to be restarted by the supervisor. */
export async function hold(stateDir: string, names: readonly string[], why: string): Promise<void> {
  if (names.length === 0) return;
  mkdirSync(path.join(stateDir, 'held'), { recursive: true });
  await withStateLock(stateDir, () => {
    for (const name of names) writeFileSync(holdFile(stateDir, name), `${why}\n`);
  });
}

/** Hands the named processes (back) to the supervisor. */
export function release(stateDir: string, names: readonly string[]): void {
  for (const name of names) rmSync(holdFile(stateDir, name), { force: true });
}

export function isHeld(stateDir: string, name: string): boolean {
  return existsSync(holdFile(stateDir, name));
}

export function releaseAll(stateDir: string): void {
  rmSync(path.join(stateDir, 'held'), { recursive: true, force: true });
}
