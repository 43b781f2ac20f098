/** Checking, before anything starts, that every port the stack must bind is free. */
import { run, which } from './exec.js';
import { canBind } from './net.js';

export interface PortClaim {
  port: number;
  purpose: string;
}

/** The process listening on a port, as `ss` reports it ("redis-server, pid 2204"), or null. */
export async function portHolder(port: number): Promise<string | null> {
  const ss = which('ss');
  if (ss === null) return null;
  const result = await run(ss, ['-Hltnp', `sport = :${port}`], { timeoutMs: 5000 });
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(result.stdout);
  return match === null ? null : `${match[1] ?? '?'}, pid ${match[2] ?? '?'}`;
}

/** Number of established client connections to a local listening port (via `ss`). */
export async function clientConnections(port: number): Promise<number> {
  const ss = which('ss');
  if (ss === null) return 0;
  const result = await run(ss, ['-Htn', 'state', 'established', `( sport = :${port} )`], { timeoutMs: 5000 });
  return result.stdout.split('\n').filter((line) => line.trim() !== '').length;
}

/** Lines like "port 8080 (gateway) is already in use (by haproxy, pid 42)" for taken ports. */
export async function portConflicts(claims: readonly PortClaim[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { port, purpose } of claims) {
    if (await canBind(port)) continue;
    const holder = await portHolder(port);
    problems.push(`port ${port} (${purpose}) is already in use${holder === null ? '' : ` (by ${holder})`}`);
  }
  return problems;
}
