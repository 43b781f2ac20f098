/**
 * One service of a running stack, stopped and started again on its own port while the rest
 * keeps running: how tests take a service away (an outage) and bring it back.
 */
import { readConfig, resolveStateDir } from './config.js';
import { hold, release } from './holds.js';
import { portConflicts } from './portcheck.js';
import { loadOrCreateSecrets } from './secrets.js';
import { SERVICES } from './services.js';
import type { ServiceSpec } from './services.js';
import { StackError, awaitService, running, spawnService, stackContext } from './start.js';
import { stopStack } from './stop.js';
import { PORT_PURPOSES } from './types.js';
import type { Logger } from './types.js';

export interface ServiceControlOptions {
  /** State dir of the running stack; default $STACK_DIR or .local/stack. */
  stateDir?: string;
  /** The environment to read settings from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The service table the stack was started with; default SERVICES. */
  table?: readonly ServiceSpec[];
  /** The same extra environment the stack was started with (it is not recorded). */
  serviceEnv?: Record<string, string>;
  envByService?: Record<string, Record<string, string>>;
  /** Bound on the wait for its readiness; default 90 s. */
  readyTimeoutMs?: number;
  log?: Logger;
}

const defaultLog: Logger = (message) => console.log(`[stack] ${message}`);

/**
 * Stops one service of the stack; true when it was running. It stays held: the supervisor does
 * not start it again (startService, or the next startStack, hands it back).
 */
export async function stopService(name: string, options: ServiceControlOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  const stateDir = resolveStateDir(options.stateDir ?? env['STACK_DIR']);
  await hold(stateDir, [name], 'stopped by stopService');
  const stopped = await stopStack(stateDir, { only: [name], log: options.log ?? defaultLog });
  return stopped.includes(name);
}

/**
 * Starts one service of the stack again, on the port and with the environment contract the
 * stack gave it, and waits for its readiness. Does nothing when it is running. Only once it is
 * ready does the supervisor watch it: a crash at start is reported here, not restarted.
 */
export async function startService(name: string, options: ServiceControlOptions = {}): Promise<void> {
  const log = options.log ?? defaultLog;
  const env = options.env ?? process.env;
  const stateDir = resolveStateDir(options.stateDir ?? env['STACK_DIR']);
  const config = readConfig(stateDir);
  const spec = (options.table ?? SERVICES).find((candidate) => candidate.name === name);
  if (config === null || spec === undefined || !config.services.some((service) => service.name === name)) {
    throw new StackError(`${name} is not a service of the stack in ${stateDir}`);
  }
  // Held before looking: a restart by the supervisor is then either seen here or not made.
  await hold(stateDir, [name], 'being started by startService');
  const existing = await running(stateDir, name);
  if (existing !== null) {
    release(stateDir, [name]);
    log(`${name}: already running (pid ${existing.pid ?? '?'})`);
    return;
  }
  const ctx = stackContext(stateDir, config, env, loadOrCreateSecrets(stateDir));
  const port = ctx.ports[spec.portKey];
  const conflicts = await portConflicts([{ port, purpose: PORT_PURPOSES[spec.portKey] }]);
  if (conflicts.length > 0) throw new StackError(conflicts.join('\n'));
  const extraEnv = { ...options.serviceEnv, ...options.envByService?.[name] };
  await spawnService(ctx, spec, extraEnv, log);
  try {
    await awaitService(ctx, spec, options.readyTimeoutMs ?? 90_000);
  } catch (error) {
    // Left held: the failure is this call's to report, not the supervisor's to retry.
    await stopStack(stateDir, { only: [name], log });
    throw error;
  }
  release(stateDir, [name]);
}
