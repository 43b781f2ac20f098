import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTcpProxy, type TcpProxy } from '@marketshare/platform/testing';
import {
  INFRA,
  startService,
  startStack,
  stopService,
  stopStack,
  type StackInfo,
} from '../../scripts/stack/index.js';
import { rabbitmqUrl } from '../../scripts/stack/config.js';

export interface IsolatedStackOptions {
  /** Extra environment for every service. */
  serviceEnv?: Record<string, string>;
  /** These services reach RabbitMQ through `rabbitProxy`, so a test can cut them off from it. */
  rabbitProxyFor?: string[];
  /** Only these services of the table (default all that exist), e.g. without the site. */
  services?: string[];
}

export interface IsolatedStack {
  info: StackInfo;
  /** The relay between RabbitMQ and the services of `rabbitProxyFor` (pause() = broker outage). */
  rabbitProxy: TcpProxy;
  /** Stops one service; the rest of the stack keeps running. */
  stopService(name: string): Promise<void>;
  /** Starts it again, on its port and with its environment, and waits for its readiness. */
  startService(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A whole stack for one test run, through the same code as `npm start`: its own state dir,
 * random ports, database prefix and RabbitMQ vhost, so it runs beside a developer's stack.
 */
export async function startIsolatedStack(options: IsolatedStackOptions = {}): Promise<IsolatedStack> {
  const id = `${process.pid}${Date.now().toString(36).slice(-4)}`;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'marketshare-e2e-'));
  const lines: string[] = [];
  const log = (message: string) => lines.push(message);
  const vhost = `e2e-${id}`;
  const rabbitProxy = await startTcpProxy(INFRA.rabbitmq.port, INFRA.rabbitmq.host);
  const proxiedRabbit = rabbitProxy.rewriteUrl(rabbitmqUrl(vhost));
  const envByService = Object.fromEntries(
    (options.rabbitProxyFor ?? []).map((name) => [name, { RABBITMQ_URL: proxiedRabbit }]),
  );
  const serviceEnv = { LOG_LEVEL: 'warn', ...options.serviceEnv };
  const control = { stateDir, serviceEnv, envByService, readyTimeoutMs: 120_000, log };
  try {
    const info = await startStack({
      stateDir,
      randomPorts: true,
      services: options.services,
      dbPrefix: `e2e${id}_`,
      vhost,
      serviceEnv,
      envByService,
      readyTimeoutMs: 120_000,
      log,
    });
    return {
      info,
      rabbitProxy,
      stopService: async (name) => {
        await stopService(name, control);
      },
      startService: (name) => startService(name, control),
      stop: async () => {
        await stopStack(stateDir, { purge: true, log });
        await rabbitProxy.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.stderr.write(`${lines.join('\n')}\n`);
    await stopStack(stateDir, { purge: true, log }).catch(() => undefined);
    await rabbitProxy.stop();
    throw error;
  }
}
