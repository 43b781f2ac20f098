/**
 * Crash-proof local stack: `kill -9` of any process the stack runs (each service, the frontend
 * when built, the Mongo stand-in, the SMTP sink, the gateway, Prometheus, Alertmanager, Zipkin)
 * and the supervisor has it back within 10 s (Zipkin, a JVM, 30 s): a new pid, ready, and the
 * gateway routes to it again.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest } from '@marketshare/platform/testing';
import { SERVICES, stackStatus } from '../scripts/stack/index.js';
import type { ProcessStatus } from '../scripts/stack/index.js';
import { isPortOpen, waitUntil } from '../scripts/stack/net.js';
import { e2eWorld, type World } from './support/world.js';

/** The acceptance bound, from the kill to ready and routed again. */
const BACK_WITHIN_MS = 10_000;
/**
 * What HAProxy answers while it has no live server for a route (503), or one that fails (502,
 * 504). Any other status came from the restarted process itself: the old one is dead. (Not "the
 * same status as before": others change the services while these tests run, and a restart
 * loads the code as it is now.)
 */
const GATEWAY_ERRORS = [502, 503, 504];

interface Target {
  name: string;
  /** Ready again (its own probe, and what depends on it). */
  ready: () => Promise<boolean>;
  /** A request through the gateway that this process answers (or is needed for). */
  viaGateway?: () => Promise<number>;
}

/** Bounds of their own where start-up alone takes longer (Zipkin's JVM: 5–8 s, TOOLCHAIN.md). */
const SLOW_STARTERS: Record<string, number> = { zipkin: 30_000 };
const boundFor = (name: string): number => SLOW_STARTERS[name] ?? BACK_WITHIN_MS;

describe('end to end: the supervisor restarts what is killed', function () {
  this.timeout(60_000);
  let w: World;
  let token = '';

  const status = async (name: string): Promise<ProcessStatus | undefined> =>
    (await stackStatus(w.stack.info.stateDir)).processes.find((proc) => proc.name === name);
  const ok = async (url: string): Promise<boolean> =>
    (await httpRequest(url).catch(() => undefined))?.status === 200;
  // 0 when no answer came at all (refused, timed out).
  const gatewayStatus = async (path: string, auth = false): Promise<number> =>
    (await w.gateway.call(path, { token: auth ? token : undefined, timeoutMs: 3_000 }).catch(() => undefined))
      ?.status ?? 0;
  const service = (name: string, path?: string, auth = false): Target => ({
    name,
    ready: () => {
      const probe = SERVICES.find((spec) => spec.name === name)?.readinessPath ?? '/readyz';
      return ok(`${w.stack.info.urls.services[name] ?? ''}${probe}`);
    },
    viaGateway: path === undefined ? undefined : () => gatewayStatus(path, auth),
  });

  const targets = (): Target[] => {
    const { urls, ports } = w.stack.info;
    return [
      service('ms-auth', '/.well-known/jwks.json'),
      service('ms-users', '/api/users/me', true),
      service('ms-products', '/api/products?limit=1', true),
      service('ms-orders', '/api/orders', true),
      service('ms-email'), // not routed by the gateway: its readiness (SMTP, broker, database)
      service('frontend', '/'),
      {
        name: 'mongo',
        ready: async () =>
          (await isPortOpen(ports.MONGO_PORT)) && ok(`${urls.services['ms-orders'] ?? ''}/readyz`),
        viaGateway: () => gatewayStatus('/api/orders', true), // reads the orders from Mongo
      },
      {
        name: 'smtp',
        ready: async () =>
          (await ok(`${urls.smtpWeb}/email`)) && ok(`${urls.services['ms-email'] ?? ''}/readyz`),
      },
      {
        name: 'gateway',
        ready: () => ok(urls.haproxyMetrics),
        viaGateway: () => gatewayStatus('/.well-known/jwks.json'),
      },
      { name: 'prometheus', ready: () => ok(`${urls.prometheus}/-/ready`) },
      { name: 'alertmanager', ready: () => ok(`${urls.alertmanager}/-/ready`) },
      { name: 'zipkin', ready: () => ok(new URL('/health', urls.zipkin).href) },
    ];
  };

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    // A consumer's token signed with the stack's real key: no dependence on the login flow.
    token = w.signer.sign({ sub: randomUUID(), role: 'consumer' });
    assert.ok((await stackStatus(w.stack.info.stateDir)).supervisor.running, 'the stack runs its supervisor');
  });

  for (const name of [
    'ms-auth',
    'ms-users',
    'ms-products',
    'ms-orders',
    'ms-email',
    'frontend',
    'mongo',
    'smtp',
    'gateway',
    'prometheus',
    'alertmanager',
    'zipkin',
  ]) {
    it(`${name}: back, ready and routed within ${boundFor(name) / 1000} s of a kill -9`, async function () {
      // The frontend runs once it is built (frontend/build).
      if (name === 'frontend' && !w.stack.info.services.includes(name)) this.skip();
      const target = targets().find((candidate) => candidate.name === name);
      assert.ok(target !== undefined);
      const bound = boundFor(name);
      const before = await status(name);
      assert.ok(before?.alive === true && before.pid !== null, `${name} runs before the kill`);
      const answer = await target.viaGateway?.();
      if (answer !== undefined)
        assert.ok(answer !== 0 && !GATEWAY_ERRORS.includes(answer), `${name} answers ${answer}`);

      const killedAt = Date.now();
      // When each step was first reached (ms after the kill), for the failure message.
      const seen: { newPid?: number; ready?: number; lastStatus?: number } = {};
      process.kill(before.pid, 'SIGKILL');
      let after: ProcessStatus | undefined;
      const back = await waitUntil(
        async () => {
          after = await status(name);
          if (after?.alive !== true || after.pid === before.pid) return false;
          seen.newPid ??= Date.now() - killedAt;
          if (!(await target.ready())) return false;
          seen.ready ??= Date.now() - killedAt;
          if (target.viaGateway === undefined) return true;
          seen.lastStatus = await target.viaGateway();
          return seen.lastStatus !== 0 && !GATEWAY_ERRORS.includes(seen.lastStatus);
        },
        bound,
        200,
      );
      const took = Date.now() - killedAt;
      const steps = JSON.stringify(seen);
      assert.ok(back, `${name} is not back, ready and routed ${bound / 1000} s after kill -9: ${steps}`);
      assert.ok(took <= bound, `${name} took ${took} ms: ${steps}`);
      // What `npm run status` prints: the restart is counted.
      assert.equal(after?.restarts, before.restarts + 1);
      assert.ok(after.lastRestartAt !== null && Date.parse(after.lastRestartAt) >= killedAt - 1_000);
    });
  }
});
