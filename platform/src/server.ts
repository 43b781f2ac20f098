import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from 'pino';
import { answerClientErrorsAsProblems } from './http/client-error.js';
import { signalClosing } from './http/closing.js';

export interface ListeningServer {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting, ends streamed responses, waits for in-flight requests, then resolves. */
  close(): Promise<void>;
}

/** Listens on host:port (port 0 picks a free one, as tests do). */
export async function listen<S>(app: Koa<S>, host: string, port: number): Promise<ListeningServer> {
  const server = createServer(app.callback());
  // Behind the gateway; its own timeouts are the outer bound. Keep-alive longer than HAProxy's.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  answerClientErrorsAsProblems(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo; // listen() on host:port always yields an AddressInfo
  return {
    server,
    port: address.port,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets turn idle as their last response ends; close them as they do,
        // or close() would wait for the client's keep-alive timeout.
        const sweeper = setInterval(() => server.closeIdleConnections(), 50);
        signalClosing(app);
        server.close((error) => {
          clearInterval(sweeper);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

type StopStep = { name: string; run: () => Promise<void> };

/**
 * Process lifecycle: on SIGTERM/SIGINT readiness turns red, the HTTP server drains in-flight
 * requests, then consumers, relays and pools stop in the reverse order they were added.
 * A timeout bounds the whole drain.
 */
export class Lifecycle {
  private shuttingDown = false;
  private readonly steps: StopStep[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  readonly isShuttingDown = (): boolean => this.shuttingDown;

  onStop(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  installSignalHandlers(): void {
    const handler = (signal: NodeJS.Signals) => {
      this.logger.info({ signal }, 'shutting down');
      void this.shutdown().then((clean) => process.exit(clean ? 0 : 1));
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  }

  /** Resolves true when every step finished within the timeout. */
  async shutdown(): Promise<boolean> {
    if (this.shuttingDown) return false;
    this.shuttingDown = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    const drained = (async () => {
      let clean = true;
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (error) {
          clean = false;
          this.logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      return clean;
    })();
    const clean = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (!clean) this.logger.warn('shutdown did not finish cleanly');
    return clean;
  }
}
