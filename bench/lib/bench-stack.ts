/**
 * An isolated stack for one benchmark run (own state dir, random ports, database prefix and
 * vhost, like the end-to-end tests), always stopped and purged at the end: on success, on
 * failure, on Ctrl-C, and when the run overstays its time bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStack, stopStack, type StackInfo } from '../../scripts/stack/index.js';

export interface BenchStackOptions {
  name: string;
  /** Services to run (the gateway, Prometheus and the SMTP sink always run). */
  services: string[];
  /** Extra environment for every service (e.g. a service's setting for the run). */
  serviceEnv?: Record<string, string>;
  /** Settings the stack runner itself reads (e.g. GATEWAY_TOKEN_RATE), over this process's env. */
  stackEnv?: Record<string, string>;
  /** The whole run, stack start and stop included, is bounded by this. */
  timeoutMs: number;
}

export async function withBenchStack<T>(
  options: BenchStackOptions,
  work: (stack: StackInfo) => Promise<T>,
): Promise<T> {
  const id = `${process.pid}${Date.now().toString(36).slice(-4)}`;
  const stateDir = mkdtempSync(path.join(tmpdir(), `marketshare-bench-${options.name}-`));
  const log = (message: string) => console.log(`[bench:${options.name}] ${message}`);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log('stopping the stack');
      await stopStack(stateDir, { purge: true, log: () => undefined }).catch((error: unknown) =>
        log(`stop failed: ${error instanceof Error ? error.message : String(error)}`),
      );
      rmSync(stateDir, { recursive: true, force: true });
    })());
  const abort = (why: string, code: number) => {
    log(why);
    void stop().finally(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => abort(`${signal}: aborting`, 130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setTimeout(
    () => abort(`still running after ${options.timeoutMs / 1000} s: aborting`, 1),
    options.timeoutMs,
  );
  try {
    log('starting an isolated stack');
    const stack = await startStack({
      stateDir,
      env: { ...process.env, ...options.stackEnv },
      randomPorts: true,
      dbPrefix: `bench${id}_`,
      vhost: `bench-${id}`,
      services: options.services,
      serviceEnv: options.serviceEnv ?? {},
      readyTimeoutMs: 120_000,
      log: () => undefined,
    });
    log(`gateway ${stack.urls.gateway}`);
    return await work(stack);
  } finally {
    clearTimeout(timer);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stop();
  }
}
