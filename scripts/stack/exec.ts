/** Running external commands: bounded, output captured, never throwing on a non-zero exit. */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion (killed after timeoutMs, default 120 s). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
        cwd: options.cwd,
        env: options.env ?? process.env,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ code: 0, stdout, stderr });
          return;
        }
        const code = typeof error.code === 'number' ? error.code : 1;
        const reason = error.killed ? `\n(killed after ${options.timeoutMs ?? 120_000} ms)` : '';
        resolve({
          code,
          stdout,
          stderr: `${stderr}${error.code === 'ENOENT' ? error.message : ''}${reason}`,
        });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs a command and throws with its output when it fails. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}): ${output}`);
  }
  return result.stdout;
}

const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** Absolute path of an executable on PATH (or in the sbin directories), or null. */
export function which(command: string): string | null {
  if (command.includes('/')) return isExecutable(command) ? command : null;
  const dirs = [...(process.env['PATH'] ?? '').split(path.delimiter), ...EXTRA_DIRS];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Like which(), but throws a message that says how to get the command. */
export function requireCommand(command: string, hint: string): string {
  const found = which(command);
  if (found === null) throw new Error(`${command} is not installed (${hint})`);
  return found;
}
