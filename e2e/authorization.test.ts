/**
 * The authorization matrix end to end: every route of every service × nine principals (anonymous,
 * consumers and sellers A and B, an admin, a deactivated account, client tokens without and with
 * scope) → the status the table in e2e/authorization/ gives. Public routes go through the
 * gateway; `/internal/...` routes, which the gateway never routes, straight to their service.
 * The table must list exactly the routes the services serve, so it cannot silently go stale.
 */
import assert from 'node:assert/strict';
import { buildMatrixWorld, type MatrixWorld } from './authorization/fixtures.js';
import { MATRIX, MATRIX_IN_RUN_ORDER } from './authorization/matrix.js';
import { openApiRouteKeys, SERVICES_WITH_ROUTES } from './authorization/route-inventory.js';
import { send } from './authorization/send.js';
import {
  isKnownGap,
  observedStatus,
  PRINCIPALS,
  routeKey,
  type PrincipalName,
  type RouteCase,
} from './authorization/types.js';
import { e2eWorld, type World } from './support/world.js';

/** Nine requests, some making a fresh product, image or order first. */
const ROUTE_TIMEOUT_MS = 60_000;

describe('end to end: the authorization matrix', function () {
  this.timeout(ROUTE_TIMEOUT_MS);
  let w: World;
  let matrix: MatrixWorld;

  const serviceUrl = (service: string): string => {
    const url = w.stack.info.urls.services[service];
    assert.ok(url, `the stack runs ${service}`);
    return url;
  };

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    matrix = await buildMatrixWorld(w);
  });

  it('has a row for every route of every OpenAPI document, and an operation behind every public row', async () => {
    const documented = new Map<string, string>();
    for (const service of SERVICES_WITH_ROUTES) {
      const apiName = service.replace(/^ms-/, '');
      const response = await send(serviceUrl(service), {
        method: 'get',
        path: `/api/${apiName}/openapi.json`,
        token: undefined,
        timeoutMs: 10_000,
      });
      assert.equal(response.status, 200, `${service}'s OpenAPI document`);
      for (const key of openApiRouteKeys(response.body)) documented.set(key, service);
    }
    const publicRows = MATRIX.filter((route) => route.via === 'gateway');
    const missingRows = [...documented.keys()].filter(
      (key) => !publicRows.some((route) => routeKey(route) === key),
    );
    const rowsWithoutOperation = publicRows
      .filter((route) => documented.get(routeKey(route)) !== route.service)
      .map(routeKey);
    assert.deepEqual(missingRows, [], 'routes in an OpenAPI document the matrix does not list');
    assert.deepEqual(rowsWithoutOperation, [], "public rows no OpenAPI document (of the row's service) has");
    const internalRows = MATRIX.filter((route) => route.via === 'direct');
    assert.deepEqual(
      internalRows.filter((route) => !route.path.startsWith('/internal/') || documented.has(routeKey(route))),
      [],
      'direct rows are internal routes, left out of OpenAPI',
    );
  });

  /** What a principal got, with the answer's start when it was not what the table says. */
  async function tryRoute(
    route: RouteCase,
    who: PrincipalName,
  ): Promise<{ status: number; detail?: string }> {
    const call = await route.request(matrix.fixtures, who);
    const base = route.via === 'gateway' ? w.stack.info.urls.gateway : serviceUrl(route.service);
    const answer = await send(base, { ...call, method: route.method, token: matrix.tokens[who] });
    const detail =
      answer.status === observedStatus(route.expect[who]) ? undefined : answer.text.slice(0, 300);
    return { status: answer.status, ...(detail === undefined ? {} : { detail }) };
  }

  for (const route of MATRIX_IN_RUN_ORDER) {
    const gaps = PRINCIPALS.filter((who) => isKnownGap(route.expect[who]));
    const title = `${routeKey(route)} (${route.via})${gaps.length > 0 ? ` — known gap: ${gaps.join(', ')}` : ''}`;
    it(title, async () => {
      const observed: Partial<Record<PrincipalName, number>> = {};
      const details: string[] = [];
      // One principal after another: the owners' requests may make fixtures, and the order is stable.
      for (const who of PRINCIPALS) {
        const { status, detail } = await tryRoute(route, who);
        observed[who] = status;
        if (detail !== undefined) details.push(`${who} got ${status}: ${detail}`);
      }
      const expected = Object.fromEntries(PRINCIPALS.map((who) => [who, observedStatus(route.expect[who])]));
      const closedGaps = gaps.filter((who) => {
        const outcome = route.expect[who];
        return isKnownGap(outcome) && observed[who] === outcome.expected;
      });
      const hint =
        closedGaps.length > 0
          ? `\nthe known gap is closed for ${closedGaps.join(', ')}: make the secure status the table's plain expectation`
          : '';
      assert.deepEqual(observed, expected, `${routeKey(route)}\n${details.join('\n')}${hint}`);
    });
  }
});
