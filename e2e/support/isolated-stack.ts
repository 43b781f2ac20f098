import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStack, stopStack, type StackInfo } from '../../scripts/stack/index.js';

export interface IsolatedStack {
  info: StackInfo;
  stop(): Promise<void>;
}

/**
 * A whole stack for one test run, through the same code as `npm start`: its own state dir,
 * random ports, database prefix and RabbitMQ vhost, so it runs beside a developer's stack.
 */
export async function startIsolatedStack(serviceEnv: Record<string, string> = {}): Promise<IsolatedStack> {
  const id = `${process.pid}${Date.now().toString(36).slice(-4)}`;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'marketshare-e2e-'));
  const lines: string[] = [];
  const log = (message: string) => lines.push(message);
  try {
    const info = await startStack({
      stateDir,
      randomPorts: true,
      dbPrefix: `e2e${id}_`,
      vhost: `e2e-${id}`,
      serviceEnv: { LOG_LEVEL: 'warn', ...serviceEnv },
      readyTimeoutMs: 120_000,
      log,
    });
    return {
      info,
      stop: async () => {
        await stopStack(stateDir, { purge: true, log });
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.stderr.write(`${lines.join('\n')}\n`);
    await stopStack(stateDir, { purge: true, log }).catch(() => undefined);
    throw error;
  }
}
