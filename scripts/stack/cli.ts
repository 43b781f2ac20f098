/**
 * node --import tsx scripts/stack/cli.ts start|stop|status|infra
 *
 * Settings come from the environment (see .env.example): ports, STACK_DIR, STACK_DB_PREFIX,
 * STACK_VHOST, MONGO_URL, GATEWAY_TOKEN_RATE, LOG_LEVEL.
 */
import { offerDemoData } from '../seed-demo.js';
import { ensureInfrastructure, stackStatus, startStack, stopStack } from './index.js';
import type { StackInfo } from './index.js';

const USAGE = [
  'usage: node --import tsx scripts/stack/cli.ts <command>',
  '  start [--keep-on-failure]   start (or reuse) the stack and print its URLs',
  '  stop [--purge]              stop what start started; --purge also drops the databases,',
  '                              users and vhost of a stack with STACK_DB_PREFIX, and its state dir',
  '  status                      list what this stack started: state, pid, restarts, ports, log',
  '  infra                       start (or reuse) PostgreSQL, MariaDB, RabbitMQ only',
].join('\n');

function printUrls(stack: StackInfo): void {
  const { urls } = stack;
  const lines = [
    '',
    `Marketshare is running. Open the site: ${urls.gateway}`,
    '',
    `  site (gateway)     ${urls.gateway}`,
    `  gateway            ${urls.gateway}`,
    `  SMTP sink web UI   ${urls.smtpWeb}   (SMTP ${urls.smtp})`,
    `  Prometheus         ${urls.prometheus}`,
    `  Zipkin (traces)    ${urls.zipkin}`,
    `  Alertmanager       ${urls.alertmanager}   (alerts are mailed to the SMTP sink)`,
    `  HAProxy stats      ${urls.haproxyStats}   (metrics ${urls.haproxyMetrics})`,
    `  MongoDB            ${urls.mongo}`,
    ...Object.entries(urls.services).map(([name, url]) => `  ${name.padEnd(18)} ${url}`),
    '',
    `state, logs and secrets: ${stack.stateDir}   (stop with: npm stop)`,
  ];
  if (stack.skipped.length > 0) lines.push(`not built yet: ${stack.skipped.join(', ')}`);
  console.log(lines.join('\n'));
}

async function status(): Promise<void> {
  const current = await stackStatus();
  console.log(`stack state: ${current.stateDir}`);
  if (current.processes.length === 0) console.log('nothing started by this stack is recorded');
  const { supervisor } = current;
  const watching = supervisor.running
    ? `${'running'.padEnd(14)} pid ${supervisor.pid ?? '?'}`
    : 'not running';
  const checked = supervisor.lastCheckAt === null ? '' : `  last check ${supervisor.lastCheckAt}`;
  if (current.processes.length > 0 || supervisor.running)
    console.log(`  ${'supervisor'.padEnd(12)} ${watching}${checked}  log ${supervisor.log}`);
  for (const proc of current.processes) {
    const state = proc.held && proc.alive ? 'running (held)' : proc.state;
    const pid = proc.pid === null ? '' : ` pid ${proc.pid}`;
    const restarts =
      proc.lastRestartAt === null ? '' : `  restarts ${proc.restarts} (last ${proc.lastRestartAt})`;
    const ports = proc.ports.length === 0 ? '' : `  ports ${proc.ports.join(',')}`;
    console.log(`  ${proc.name.padEnd(12)} ${state.padEnd(14)}${pid}${restarts}${ports}  log ${proc.log}`);
    if (proc.crashLooping !== null) console.log(`  ${''.padEnd(12)} gave up: ${proc.crashLooping}`);
  }
  if (current.urls !== null && current.processes.some((proc) => proc.alive)) {
    console.log(`gateway ${current.urls.gateway}  prometheus ${current.urls.prometheus}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  switch (command) {
    case 'start': {
      const stack = await startStack({ stopOnFailure: !flags.includes('--keep-on-failure') });
      printUrls(stack);
      await offerDemoData(stack);
      return 0;
    }
    case 'stop':
      await stopStack(undefined, { purge: flags.includes('--purge') });
      return 0;
    case 'status':
      await status();
      return 0;
    case 'infra':
      await ensureInfrastructure();
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
