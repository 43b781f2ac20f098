/**
 * node --import tsx scripts/stack/supervisor-main.ts <state dir>
 *
 * The supervisor daemon of one stack; started (detached) by startStack, stopped by stopStack.
 * Settings come from the environment it was started with (STACK_RESTART_*, see .env.example).
 */
import { resolveStateDir } from './config.js';
import { runSupervisor, supervisorSettings } from './supervisor.js';

const [stateDir] = process.argv.slice(2);
if (stateDir === undefined) {
  console.error('usage: node --import tsx scripts/stack/supervisor-main.ts <state dir>');
  process.exit(2);
}
await runSupervisor(resolveStateDir(stateDir), supervisorSettings(process.env));
