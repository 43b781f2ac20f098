/**
 * HAProxy's view of its servers (the stats CSV, 127.0.0.1): how often a health check took a
 * service out of rotation during a run. A backend without a server UP answers 503 at once.
 */

export interface ServerHealth {
  /** Times the health checks marked the server DOWN since HAProxy started. */
  timesDown: number;
  /** Seconds the server spent DOWN since HAProxy started. */
  secondsDown: number;
}

/** By backend name: the health of its (first) server. */
export type GatewayHealth = Record<string, ServerHealth>;

export async function gatewayHealth(statsUrl: string): Promise<GatewayHealth> {
  if (new URL(statsUrl).hostname !== '127.0.0.1') throw new Error('stats are only ever read from 127.0.0.1');
  const response = await fetch(`${statsUrl};csv`, { signal: AbortSignal.timeout(5_000) });
  const [header = '', ...lines] = (await response.text()).split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const column = (name: string) => columns.indexOf(name);
  const [backend, server, chkdown, downtime] = ['pxname', 'svname', 'chkdown', 'downtime'].map(column);
  const health: GatewayHealth = {};
  for (const line of lines) {
    const cells = line.split(',');
    const name = cells[backend ?? -1];
    const serverName = cells[server ?? -1];
    if (!name || !serverName || serverName === 'FRONTEND' || serverName === 'BACKEND') continue;
    health[name] ??= {
      timesDown: Number(cells[chkdown ?? -1] ?? 0) || 0,
      secondsDown: Number(cells[downtime ?? -1] ?? 0) || 0,
    };
  }
  return health;
}

/** What changed between two readings, for the backends whose server went DOWN in between. */
export function healthChanges(before: GatewayHealth, after: GatewayHealth): GatewayHealth {
  const changes: GatewayHealth = {};
  for (const [name, now] of Object.entries(after)) {
    const earlier = before[name] ?? { timesDown: 0, secondsDown: 0 };
    const timesDown = now.timesDown - earlier.timesDown;
    const secondsDown = now.secondsDown - earlier.secondsDown;
    if (timesDown > 0 || secondsDown > 0) changes[name] = { timesDown, secondsDown };
  }
  return changes;
}
