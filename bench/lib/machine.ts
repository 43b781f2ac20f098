/** What a benchmark ran on, for its report. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  haproxy: string;
  commit: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews results. */
  loadAverage: number[];
}

function firstLine(command: string, args: string[]): string {
  try {
    return (
      execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0] ??
      ''
    );
  } catch {
    return 'unknown';
  }
}

export function machineInfo(repoRoot: string): MachineInfo {
  const dirty = firstLine('git', ['-C', repoRoot, 'status', '--porcelain', '--untracked-files=no']) !== '';
  return {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    haproxy: firstLine('haproxy', ['-v']).replace(/ - .*/, ''),
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    commit: `${firstLine('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'])}${dirty ? ' (with uncommitted changes)' : ''}`,
  };
}
