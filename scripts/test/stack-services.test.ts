/**
 * The stack runner with stand-in services (tiny HTTP servers in place of ms-auth, ms-users and
 * ms-email): the environment contract, readiness, routing through the gateway, and a service
 * that fails at start.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../stack/config.js';
import { waitUntil } from '../stack/net.js';
import {
  SERVICES,
  StackError,
  startService,
  startStack,
  stackStatus,
  stopService,
  stopStack,
} from '../stack/index.js';
import type { ServiceSpec, StackInfo } from '../stack/index.js';
import { request } from './helpers.js';

const silent = (): void => undefined;
// Shared servers are stopped too when this stack had to start them and nobody else uses them.
const SHARED = ['postgresql', 'mariadb', 'rabbitmq'];

// Runs under `node --import tsx`; plain JavaScript is valid TypeScript here.
const FAKE_MAIN = `
import http from 'node:http';
import { writeFileSync } from 'node:fs';
writeFileSync('env.json', JSON.stringify(process.env));
if (process.env.FAKE_CRASH === '1') {
  console.error('fake crash: MYSQL_URL is not reachable');
  process.exit(1);
}
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ service: process.env.OTEL_SERVICE_NAME, url: req.url }));
});
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function fakeSpec(root: string, name: string, crash = false): ServiceSpec {
  const real = SERVICES.find((spec) => spec.name === name);
  assert.ok(real !== undefined);
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'main.ts'), FAKE_MAIN);
  return { ...real, dir, env: (ctx) => ({ ...real.env(ctx), ...(crash ? { FAKE_CRASH: '1' } : {}) }) };
}

function envOf(root: string, name: string): Record<string, string> {
  return JSON.parse(readFileSync(path.join(root, name, 'env.json'), 'utf8')) as Record<string, string>; // written by FAKE_MAIN
}

describe('stack runner with stand-in services', function () {
  this.timeout(240_000);
  const id = `${process.pid}`;
  // Inside the repository, so that `node --import tsx` resolves tsx from the service's cwd.
  const root = path.join(REPO_ROOT, '.local', 'test-services', id);
  let stateDir = '';
  let stack: StackInfo | undefined;
  let table: ServiceSpec[] = [];
  // Given at start, and again when a service is started on its own (it is not recorded).
  const envByService = { 'ms-users': { ONLY_FOR_USERS: 'yes' } };

  before(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'stack-svc-test-'));
  });

  after(async () => {
    await stopStack(stateDir, { purge: true, log: silent }).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('starts the services of the table in order with the environment contract', async () => {
    table = ['ms-auth', 'ms-users', 'ms-email'].map((name) => fakeSpec(root, name));
    stack = await startStack({
      stateDir,
      randomPorts: true,
      dbPrefix: `s${id}_`,
      vhost: `stacksvc-${id}`,
      table,
      envByService,
      log: silent,
    });
    assert.deepEqual(stack.services, ['ms-auth', 'ms-users', 'ms-email']);
    const { ports, urls } = stack;
    const auth = envOf(root, 'ms-auth');
    assert.equal(auth['PORT'], String(ports.MS_AUTH_PORT));
    assert.equal(auth['HOST'], '127.0.0.1');
    assert.equal(auth['NODE_ENV'], 'development');
    assert.equal(auth['AUTH_ISSUER'], urls.gateway);
    assert.equal(auth['AUTH_AUDIENCE'], 'marketshare-api');
    assert.equal(auth['AUTH_JWKS_URL'], `http://127.0.0.1:${ports.MS_AUTH_PORT}/.well-known/jwks.json`);
    assert.equal(auth['SERVICE_CLIENT_ID'], 'ms-auth');
    assert.equal(auth['USERS_URL'], `http://127.0.0.1:${ports.MS_USERS_PORT}`);
    assert.equal(auth['CLIENT_SECRET_FRONTEND'], stack.secrets['CLIENT_SECRET_FRONTEND']);
    assert.match(auth['AUTH_KEY_ENCRYPTION_SECRET'] ?? '', /^[0-9a-f]{64}$/);
    const password = stack.secrets['MYSQL_PASSWORD_MS_AUTH'] ?? '';
    assert.equal(auth['MYSQL_URL'], `mysql://s${id}_ms_auth:${password}@127.0.0.1:3306/s${id}_auth`);
    assert.equal(auth['RABBITMQ_URL'], `amqp://guest:guest@127.0.0.1:5672/stacksvc-${id}`);

    assert.equal(auth['ONLY_FOR_USERS'], undefined);
    const users = envOf(root, 'ms-users');
    assert.equal(users['ONLY_FOR_USERS'], 'yes');
    assert.equal(users['SERVICE_CLIENT_SECRET'], stack.secrets['CLIENT_SECRET_MS_USERS']);
    assert.equal(users['PUBLIC_URL'], urls.gateway);
    assert.equal(users['OTEL_SERVICE_NAME'], 'ms-users');
    const email = envOf(root, 'ms-email');
    assert.equal(email['SMTP_URL'], `smtp://127.0.0.1:${ports.SMTP_PORT}`);
    assert.equal(email['MAIL_FROM'], 'Marketshare <no-reply@marketshare.local>');
    assert.match(email['MYSQL_URL'] ?? '', new RegExp(`/s${id}_email$`));
    assert.deepEqual(stack.serviceEnv['ms-email']?.['SMTP_URL'], email['SMTP_URL']);
  });

  it('routes through the gateway to the services', async () => {
    assert.ok(stack !== undefined);
    const viaGateway = await request(stack.ports.GATEWAY_PORT, '/api/users/me');
    assert.equal(viaGateway.status, 200);
    assert.deepEqual(JSON.parse(viaGateway.body), { service: 'ms-users', url: '/api/users/me' });
    const jwks = await request(stack.ports.GATEWAY_PORT, '/.well-known/jwks.json');
    assert.equal(JSON.parse(jwks.body).service, 'ms-auth');
  });

  it('stops one service and starts it again on its port while the rest keeps running', async () => {
    assert.ok(stack !== undefined);
    const { ports } = stack;
    const running = async () =>
      new Map((await stackStatus(stateDir)).processes.map((proc) => [proc.name, proc]));
    const before = await running();
    assert.equal(await stopService('ms-users', { stateDir, log: silent }), true);
    const during = await running();
    assert.equal(during.has('ms-users'), false);
    assert.equal(during.get('ms-auth')?.pid, before.get('ms-auth')?.pid);
    assert.equal(during.get('gateway')?.alive, true);
    rmSync(path.join(root, 'ms-users', 'env.json'));

    await startService('ms-users', { stateDir, table, envByService, log: silent });
    const after = await running();
    const users = after.get('ms-users');
    assert.equal(users?.alive, true);
    assert.notEqual(users.pid, before.get('ms-users')?.pid);
    assert.deepEqual(users.ports, [ports.MS_USERS_PORT]);
    assert.equal(envOf(root, 'ms-users')['PORT'], String(ports.MS_USERS_PORT));
    assert.equal(envOf(root, 'ms-users')['ONLY_FOR_USERS'], 'yes');
    // The gateway's health checks take it in again.
    const routed = await waitUntil(
      async () => (await request(ports.GATEWAY_PORT, '/api/users/me')).status === 200,
      20_000,
    );
    assert.ok(routed, 'the gateway routes to the restarted service');

    await startService('ms-users', { stateDir, table, log: silent });
    assert.equal((await running()).get('ms-users')?.pid, users.pid, 'a running service is left alone');
    await assert.rejects(
      startService('ms-orders', { stateDir, table, log: silent }),
      (error: unknown) => error instanceof StackError && /not a service of the stack/.test(error.message),
    );
  });

  it('a service that fails at start is reported with its log, and that start is undone', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'stack-svc-crash-'));
    try {
      const table = [fakeSpec(root, 'ms-email', true)];
      await assert.rejects(
        startStack({ stateDir: other, randomPorts: true, dbPrefix: `s${id}_`, table, log: silent }),
        (error: unknown) =>
          error instanceof StackError &&
          error.message.includes('ms-email exited') &&
          error.message.includes('fake crash: MYSQL_URL is not reachable'),
      );
      const status = await stackStatus(other);
      assert.deepEqual(status.processes, [], 'nothing of the failed start keeps running');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('stops the services and the supporting processes in reverse order', async () => {
    const stopped = (await stopStack(stateDir, { purge: true, log: silent })).filter(
      (name) => !SHARED.includes(name),
    );
    // ms-users, started again on its own after the others, is the first to go.
    assert.deepEqual(stopped, [
      'ms-users',
      'gateway',
      'prometheus',
      'ms-email',
      'ms-auth',
      'alertmanager',
      'smtp',
      'mongo',
      'zipkin',
    ]);
  });
});
