/**
 * The frontend is served from its build (adapter-node's `build/index.js`), so the stack builds
 * it first when the build is missing or older than anything it is built from. A build runs
 * `vite build` in frontend/ (about 10-20 s on 2 cores); when nothing changed this is one walk
 * over the sources' modification times. Two stacks starting at once (a developer's and the
 * tests') take turns through a lock directory, and the second then finds the build fresh.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from './types.js';

/** What the build is made from, relative to the repo root: its sources and the platform code it bundles. */
const INPUTS = [
  'frontend/src',
  'frontend/static',
  'frontend/svelte.config.js',
  'frontend/vite.config.ts',
  'frontend/package.json',
  'platform/src',
];
const ENTRY = 'frontend/build/index.js';
const LOCK = 'frontend/.svelte-kit/.stack-build-lock';
const LOCK_STALE_MS = 10 * 60_000;

function newestMtime(file: string): number {
  if (!existsSync(file)) return 0;
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestMtime(path.join(file, entry)));
  return newest;
}

/** Why the frontend must be built, or null when its build is up to date. */
export function frontendBuildReason(repoRoot: string): string | null {
  const entry = path.join(repoRoot, ENTRY);
  if (!existsSync(entry)) return 'no build yet';
  const built = statSync(entry).mtimeMs;
  const changed = INPUTS.find((input) => newestMtime(path.join(repoRoot, input)) > built);
  return changed === undefined ? null : `${changed} changed since the last build`;
}

function runBuild(repoRoot: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
    const viteBin = existsSync(vite)
      ? vite
      : path.join(repoRoot, 'frontend', 'node_modules', 'vite', 'bin', 'vite.js');
    const child = spawn(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], {
      cwd: path.join(repoRoot, 'frontend'),
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`vite build failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}

async function withLock<T>(repoRoot: string, work: () => Promise<T>): Promise<T> {
  const lock = path.join(repoRoot, LOCK);
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another build holds it; a lock older than any build is left over from a killed one.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`frontend build lock ${lock} is held too long`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds the frontend when it has to; true when it built. */
export async function ensureFrontendBuilt(repoRoot: string, log: Logger): Promise<boolean> {
  if (!existsSync(path.join(repoRoot, 'frontend', 'package.json'))) return false;
  if (frontendBuildReason(repoRoot) === null) return false;
  return withLock(repoRoot, async () => {
    const reason = frontendBuildReason(repoRoot);
    if (reason === null) return false;
    const started = Date.now();
    log(`frontend: building (${reason})`);
    await runBuild(repoRoot);
    log(`frontend: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  });
}
