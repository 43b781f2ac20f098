/**
 * Every panel query of grafana/dashboards that reads our services', HAProxy's or RabbitMQ's
 * metrics returns data from the e2e stack's real Prometheus, after real traffic through the
 * gateway. Linkerd's metrics only exist in the mesh: those panels are listed and skipped.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest } from '@marketshare/platform/testing';
import { substitute } from '../scripts/grafana/check.js';
import { CLUSTER_ONLY, DASHBOARDS } from '../scripts/grafana/dashboards.js';
import { field } from './support/gateway-client.js';
import { OrdersWorld } from './support/orders-world.js';
import { e2eWorld, type World } from './support/world.js';

interface PanelQuery {
  where: string;
  expr: string;
}

const queries: PanelQuery[] = [];
const skipped: string[] = [];
for (const [file, make] of Object.entries(DASHBOARDS)) {
  for (const panel of make().panels) {
    for (const target of panel.targets) {
      const where = `${file} / ${panel.title} / ${target.refId}`;
      if (CLUSTER_ONLY.has(file)) skipped.push(where);
      else queries.push({ where, expr: target.expr });
    }
  }
}

async function hasData(prometheus: string, expr: string): Promise<boolean> {
  // 5 s scrapes: Grafana's $__rate_interval would be at least 20 s; 30 s holds several samples.
  const url = `${prometheus}/api/v1/query?query=${encodeURIComponent(substitute(expr, '30s'))}`;
  const response = await httpRequest(url);
  assert.equal(response.status, 200, `${expr}: ${response.text}`);
  const result = field(field(response.body, 'data'), 'result');
  return Array.isArray(result) && result.length > 0;
}

describe("Grafana dashboards against the stack's Prometheus", function () {
  this.timeout(180_000);
  let w: World;

  before(async () => {
    w = await e2eWorld();
    const o = new OrdersWorld(w);
    const [seller, buyer] = await Promise.all([o.person('seller'), o.person('consumer')]);
    // The second is priced over the stack's credit limit (PAYMENT_CREDIT_LIMIT_MINOR, world.ts).
    const [product, overLimit] = await Promise.all([
      o.createProduct(seller, 1),
      o.createProduct(seller, 1, 2_000_000),
    ]);
    assert.equal((await w.gateway.call('/api/products?q=bolt')).status, 200);
    assert.equal((await w.gateway.call('/')).status, 200); // the site's SSR calls the services
    assert.equal((await o.checkout(buyer, [{ productId: product, quantity: 1 }])).status, 201);
    const refused = await o.checkout(buyer, [{ productId: product, quantity: 1 }]);
    // An order is placed either way; stock refused it (status OUT_OF_STOCK).
    assert.match(refused.text, /OUT_OF_STOCK/);
    const declined = await o.checkout(buyer, [{ productId: overLimit, quantity: 1 }]);
    // Placed as well, its payment declined by the simulator (status REJECTED).
    assert.equal(declined.status, 201, declined.text);
    assert.match(declined.text, /"status":"REJECTED"/);
    assert.equal((await w.gateway.login(buyer.username, 'wrong password')).status, 400);
  });

  it(`lists the cluster-only panels it skips (${skipped.length}: Linkerd)`, () => {
    assert.ok(skipped.length > 0);
    assert.ok(skipped.every((where) => where.startsWith('linkerd.json')));
  });

  it('returns data for every other panel query', async () => {
    const prometheus = w.stack.info.urls.prometheus;
    let missing = queries;
    // Until the scrapes after the traffic (5 s apart) and the email consumer have caught up.
    for (let attempt = 0; attempt < 20 && missing.length > 0; attempt++) {
      if (attempt > 0) await sleep(2_000);
      const answers = await Promise.all(missing.map((query) => hasData(prometheus, query.expr)));
      missing = missing.filter((_, index) => !answers[index]);
    }
    assert.deepEqual(
      missing.map((query) => `${query.where}: ${query.expr}`),
      [],
    );
  });
});
