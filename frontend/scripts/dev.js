// `npm run dev -w frontend`: vite's dev server (hot reload) against the stack `npm start` runs,
// with that stack's ports and secrets (from $STACK_DIR, default ../.local/stack).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const stateDir = path.resolve(repo, process.env.STACK_DIR ?? '.local/stack');

function readEnvFile(file) {
  if (!existsSync(file)) return {};
  const values = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2];
  }
  return values;
}

const stackFile = path.join(stateDir, 'stack.json');
if (!existsSync(stackFile)) {
  console.error(`No running stack in ${stateDir}: start one with npm start first.`);
  process.exit(1);
}
const { ports } = JSON.parse(readFileSync(stackFile, 'utf8'));
const secrets = readEnvFile(path.join(stateDir, 'secrets.env'));
const devPort = process.env.FRONTEND_DEV_PORT ?? '5173';
const local = (port) => `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  ORIGIN: local(devPort),
  AUTH_URL: local(ports.MS_AUTH_PORT),
  USERS_URL: local(ports.MS_USERS_PORT),
  PRODUCTS_URL: local(ports.MS_PRODUCTS_PORT),
  ORDERS_URL: local(ports.MS_ORDERS_PORT),
  CLIENT_ID: 'frontend',
  CLIENT_SECRET: secrets.CLIENT_SECRET_FRONTEND ?? '',
  SESSION_SECRET: secrets.SESSION_SECRET ?? '',
};
console.log(`frontend dev server: ${local(devPort)} (services of the stack in ${stateDir})`);
const vite = spawn(
  process.execPath,
  [path.join(repo, 'node_modules', 'vite', 'bin', 'vite.js'), 'dev', '--port', devPort, '--strictPort'],
  {
    cwd: path.resolve(here, '..'),
    env,
    stdio: 'inherit',
  },
);
vite.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => vite.kill(signal));
