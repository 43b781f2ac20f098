/**
 * Fuzzing every service's OpenAPI document through the gateway of the shared e2e stack (ms-email,
 * which the gateway does not route, on its own port): valid requests generated from the
 * schemas and mutated ones (wrong types, boundary numbers, hostile strings, operator objects,
 * prototype keys, duplicate keys, deep nesting, wrong content types, malformed and oversized
 * bodies, bad credentials, wrong methods) as anonymous, consumer, seller, admin and the
 * first-party OAuth client. Oracles: e2e/fuzz/oracles.ts, and the before/after snapshot.
 *
 * FUZZ_RUNS: requests in all (default 300, the seeded run inside `npm test`; `npm run test:fuzz`
 * sends 10,000). FUZZ_SEED: a number reproduces a run; `random` draws one (and prints it);
 * unset, the fixed seed below.
 */
import assert from 'node:assert/strict';
import { readRecord } from '../scripts/stack/procs.js';
import { httpRequest } from '@marketshare/platform/testing';
import { OrdersWorld } from './support/orders-world.js';
import { e2eWorld, type World } from './support/world.js';
import { authorizationOf, buildCast, keepCastFresh, loginAdmin, type Cast } from './fuzz/cast.js';
import { operationsOf, type Operation } from './fuzz/openapi-model.js';
import { requestArbitrary } from './fuzz/request-generator.js';
import { runPhase, tokenGate, type PhaseReport, type Transport } from './fuzz/runner.js';
import { snapshotOf } from './fuzz/snapshot.js';

const FIXED_SEED = 20_261_202;
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);
const SEED =
  process.env['FUZZ_SEED'] === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env['FUZZ_SEED'] ?? FIXED_SEED);

/** Every service and the name its document is served under; only ms-email is not routed. */
const SERVICES = {
  'ms-auth': 'auth',
  'ms-users': 'users',
  'ms-products': 'products',
  'ms-orders': 'orders',
  'ms-email': 'email',
};
const UNROUTED = new Set(['ms-email']);
const ROUTED_BACKENDS = ['ms-auth', 'ms-users', 'ms-products', 'ms-orders'];

function printReport(report: PhaseReport, operations: readonly Operation[]): void {
  const sorted = (counts: Map<string, number>) =>
    [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, n]) => `${key}:${n}`)
      .join(' ');
  const unexercised = operations
    .map((operation) => `${operation.service} ${operation.method} ${operation.path}`)
    .filter((name) => !report.operations.has(name));
  console.log(
    [
      `    fuzz ${report.name}: ${report.sent} requests in ${report.batches} batches, ${(report.ms / 1000).toFixed(1)} s, seed ${report.seed}`,
      `      statuses  ${sorted(report.statuses)}`,
      `      mutations ${sorted(report.mutations)}`,
      `      operations ${report.operations.size}/${operations.length} exercised${unexercised.length > 0 ? ` (not: ${unexercised.join(', ')})` : ''}`,
      ...(report.comparedBatches > 0
        ? [`      snapshots compared around ${report.comparedBatches} all-refused batches`]
        : []),
    ].join('\n'),
  );
}

describe(`fuzzing every OpenAPI document (${RUNS} requests, seed ${SEED})`, function () {
  this.timeout(180_000 + RUNS * 400);
  let world: World;
  let operations: Operation[];
  let transport: (cast: Cast) => Transport;
  let mixedCast: Cast;
  let hostileCast: Cast;
  const pids = new Map<string, number | null | undefined>();

  before(async function () {
    this.timeout(240_000);
    world = await e2eWorld();
    const { info } = world.stack;
    const servicePort = (service: string) => Number(new URL(info.urls.services[service] ?? '').port);
    const portOf = (service: string) =>
      UNROUTED.has(service) ? servicePort(service) : info.ports.GATEWAY_PORT;
    operations = [];
    for (const [service, apiName] of Object.entries(SERVICES)) {
      const documentPath = `/api/${apiName}/openapi.json`;
      const base = UNROUTED.has(service) ? (info.urls.services[service] ?? '') : info.urls.gateway;
      const document = await httpRequest(`${base}${documentPath}`);
      assert.equal(document.status, 200, `${service} serves its OpenAPI document`);
      operations.push(...operationsOf(service, documentPath, document.body));
    }
    const admin = await loginAdmin(world);
    [mixedCast, hostileCast] = await Promise.all([buildCast(world, admin), buildCast(world, admin)]);
    const clientBasic = `Basic ${Buffer.from(`frontend:${info.secrets['CLIENT_SECRET_FRONTEND'] ?? ''}`).toString('base64')}`;
    transport = (cast) => ({
      portOf,
      authorizationOf: (request) => authorizationOf(cast, request.as, clientBasic),
    });
    for (const service of Object.keys(SERVICES)) pids.set(service, readRecord(info.stateDir, service)?.pid);
    console.log(
      `    fuzz: ${operations.length} operations from ${Object.keys(SERVICES).length} documents; FUZZ_SEED=${SEED}`,
    );
  });

  // The token endpoint's per-IP window starts empty for whichever file runs next.
  after(async function () {
    this.timeout(30_000);
    await tokenGate.drained();
  });

  it('answers valid and mutated requests with no 5xx, no leak, and every 4xx a problem (RFC 6749 on OAuth)', async () => {
    const report = await runPhase({
      name: 'valid and mutated',
      requests: requestArbitrary(operations, { hints: { knownIds: mixedCast.knownIds }, validShare: 0.5 }),
      budget: Math.ceil(RUNS * 0.4),
      seed: SEED,
      batchSize: 20,
      concurrency: 4,
      transport: transport(mixedCast),
      beforeBatch: () => keepCastFresh(mixedCast, world.gateway),
    });
    printReport(report, operations);
    assert.equal(report.failure, undefined, report.failure);
  });

  it('refuses hostile requests without changing what their principals can see', async () => {
    const report = await runPhase({
      name: 'hostile, with snapshots',
      requests: requestArbitrary(operations, { hints: { knownIds: hostileCast.knownIds }, validShare: 0 }),
      budget: Math.ceil(RUNS * 0.6),
      seed: SEED + 1,
      batchSize: 20,
      concurrency: 4,
      transport: transport(hostileCast),
      beforeBatch: () => keepCastFresh(hostileCast, world.gateway),
      snapshot: () => snapshotOf(world, hostileCast),
    });
    printReport(report, operations);
    assert.equal(report.failure, undefined, report.failure);
    assert.ok(report.comparedBatches > 0, 'some batches were refused whole, so the snapshot oracle ran');
  });

  it('leaves every service up: same processes, healthy, routed by the gateway', async () => {
    const { info } = world.stack;
    for (const service of Object.keys(SERVICES)) {
      assert.equal(
        readRecord(info.stateDir, service)?.pid,
        pids.get(service),
        `${service} was not restarted`,
      );
      const health = await httpRequest(`${info.urls.services[service] ?? ''}/healthz`);
      assert.equal(health.status, 200, `${service} /healthz`);
    }
    const orders = new OrdersWorld(world);
    for (const backend of ROUTED_BACKENDS) await orders.gatewaySeesUp(backend, 10_000);
  });
});
