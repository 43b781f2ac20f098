/**
 * The files of a stack's supervisor: its record and heartbeat sit beside pids/ (not in it), so
 * stopStack stops it apart from, and before, everything else; its log is logs/supervisor.log.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { logFile, writeJsonAtomic } from './procs.js';
import type { ProcessRecord } from './types.js';

export function supervisorLog(stateDir: string): string {
  return logFile(stateDir, 'supervisor');
}

export function supervisorRecordFile(stateDir: string): string {
  return path.join(stateDir, 'supervisor.json');
}

export function heartbeatFile(stateDir: string): string {
  return path.join(stateDir, 'supervisor.beat');
}

export interface Heartbeat {
  pid: number;
  /** End of its last pass over the records. */
  at: string;
}

export function readSupervisorRecord(stateDir: string): ProcessRecord | null {
  return readJson<ProcessRecord>(supervisorRecordFile(stateDir));
}

export function readHeartbeat(stateDir: string): Heartbeat | null {
  return readJson<Heartbeat>(heartbeatFile(stateDir));
}

export function writeHeartbeat(stateDir: string): void {
  try {
    const beat: Heartbeat = { pid: process.pid, at: new Date().toISOString() };
    writeJsonAtomic(heartbeatFile(stateDir), beat, { mkdir: false });
  } catch {
    // The state dir is gone: the next pass ends the loop.
  }
}

function readJson<T>(file: string): T | null {
  try {
    // Only for the files above, written by writeJsonAtomic.
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
