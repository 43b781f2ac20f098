/**
 * The whole machine's CPU use between two readings (/proc/stat): every process, the stack's,
 * PostgreSQL's and anyone else's. On a shared machine this tells how busy it was meanwhile.
 */
import { readFileSync } from 'node:fs';

export interface MachineTicks {
  busy: number;
  total: number;
}

/** Busy and total jiffies of all CPUs (/proc/stat's first line), or null where it is unreadable. */
export function machineTicks(): MachineTicks | null {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    // idle and iowait are the 4th and 5th fields.
    return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
  } catch {
    return null;
  }
}

/** Cores the machine kept busy between the readings, two decimals. */
export function machineCoresBusy(
  before: MachineTicks | null,
  after: MachineTicks | null,
  cpus: number,
): number | null {
  if (before === null || after === null || after.total === before.total) return null;
  return Math.round(((after.busy - before.busy) / (after.total - before.total)) * cpus * 100) / 100;
}
