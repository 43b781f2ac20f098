/**
 * Resident memory (VmRSS from /proc/<pid>/status) of a stack's own processes: each recorded
 * process summed over its process group, as process-cpu.ts counts CPU, so a service that forks
 * helpers is counted whole. Shared servers (PostgreSQL, RabbitMQ) are not the stack's alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readRecords } from '../../scripts/stack/procs.js';

/** MiB by process name. */
export type MemoryReading = Record<string, number>;

function rssKiB(pid: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((candidate) => candidate.startsWith('VmRSS:'));
    return Number(line?.split(/\s+/)[1] ?? 0) || 0;
  } catch {
    return 0; // gone meanwhile
  }
}

function rssByGroup(): Map<number, number> {
  const groups = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The fields after the command name (in parentheses, may hold spaces): the 3rd is the group.
    const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    groups.set(group, (groups.get(group) ?? 0) + rssKiB(entry));
  }
  return groups;
}

export function memoryOf(stateDir: string): MemoryReading {
  const groups = rssByGroup();
  const reading: MemoryReading = {};
  for (const record of readRecords(stateDir)) {
    if (record.pid === null || record.shared === true) continue;
    const kib = record.group ? (groups.get(record.pid) ?? 0) : rssKiB(String(record.pid));
    reading[record.name] = Math.round((kib / 1024) * 10) / 10;
  }
  return reading;
}

/** Samples every `intervalMs` until stopped; keeps each process's highest reading. */
export function sampleMemory(stateDir: string, intervalMs = 1_000): { stop: () => MemoryReading } {
  const peak: MemoryReading = {};
  const take = () => {
    for (const [name, mib] of Object.entries(memoryOf(stateDir))) peak[name] = Math.max(peak[name] ?? 0, mib);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
