/**
 * CPU time of a stack's own processes (services, HAProxy, the Mongo stand-in) and of the
 * benchmark itself, from /proc: where the cores went during a run. Shared servers the stack
 * only reuses (PostgreSQL, RabbitMQ) serve others too and are not counted.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readRecords } from '../../scripts/stack/procs.js';

/** CPU seconds by process name (its whole process group), and "load generator" for this process. */
export type CpuTimes = Record<string, number>;

export const LOAD_GENERATOR = 'load generator';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime in ticks of every live process, by process group. */
function ticksByGroup(): Map<number, number> {
  const groups = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = Number(fields[2]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    groups.set(group, (groups.get(group) ?? 0) + ticks);
  }
  return groups;
}

export function cpuTimes(stateDir: string): CpuTimes {
  const groups = ticksByGroup();
  const times: CpuTimes = {};
  for (const record of readRecords(stateDir)) {
    // Shared servers (`shared`) and daemons without a known pid are not the stack's alone.
    if (record.pid === null || record.shared === true || !record.group) continue;
    times[record.name] = (groups.get(record.pid) ?? 0) / clockTicks();
  }
  const own = process.cpuUsage();
  times[LOAD_GENERATOR] = (own.user + own.system) / 1e6;
  return times;
}

/** Cores used per process between two readings: CPU seconds ÷ wall seconds, two decimals. */
export function coresUsed(before: CpuTimes, after: CpuTimes, seconds: number): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [name, total] of Object.entries(after)) {
    const spent = total - (before[name] ?? 0);
    used[name] = Math.round((spent / seconds) * 100) / 100;
  }
  return used;
}
