/**
 * The demo data settings of `npm start`. Loading itself runs against a real stack in
 * `npm run bench -- search` (10,000 products) and is tested in ms-products/test/cli.
 */
import assert from 'node:assert/strict';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, demoProductCount, demoTargetOf, describeDemo } from '../seed-demo.js';

describe('demo data settings', () => {
  it('reads STACK_DEMO_DATA: small by default, large, none, or a count', () => {
    assert.equal(demoProductCount(undefined), 200);
    assert.equal(demoProductCount(''), 200);
    assert.equal(demoProductCount('small'), 200);
    assert.equal(demoProductCount(' Large '), 10_000);
    assert.equal(demoProductCount('none'), 0);
    assert.equal(demoProductCount('1234'), 1234);
    for (const bad of ['lots', '-1', '1e3', '2000000'])
      assert.throws(() => demoProductCount(bad), /STACK_DEMO_DATA/);
  });

  it('uses account names and a password that registration accepts', () => {
    for (const account of DEMO_ACCOUNTS) assert.match(account.username, /^[A-Za-z0-9_.-]{3,32}$/);
    assert.ok(DEMO_PASSWORD.length >= 8 && Buffer.byteLength(DEMO_PASSWORD) <= 72);
    assert.deepEqual(DEMO_ACCOUNTS.map((account) => account.role).sort(), [
      'consumer',
      'consumer',
      'seller',
      'seller',
      'seller',
    ]);
  });

  it("prints every login and the password, and targets the stack's gateway and products database", () => {
    const lines = describeDemo({
      accounts: DEMO_ACCOUNTS.map((account, index) => ({ ...account, id: `id-${index}`, created: true })),
      products: 200,
      inserted: 200,
      deleted: 0,
    }).join('\n');
    for (const account of DEMO_ACCOUNTS) assert.ok(lines.includes(account.username));
    assert.ok(lines.includes(DEMO_PASSWORD));
    const target = demoTargetOf({
      urls: {
        gateway: 'http://127.0.0.1:18080',
        haproxyStats: '',
        haproxyMetrics: '',
        prometheus: '',
        zipkin: '',
        alertmanager: '',
        smtpWeb: '',
        smtp: '',
        mongo: '',
        rabbitmq: '',
        services: {},
      },
      secrets: { CLIENT_SECRET_FRONTEND: 'secret' },
      serviceEnv: { 'ms-products': { POSTGRES_URL: 'postgres://u:p@127.0.0.1:5432/p', IMAGES_DIR: '/x' } },
    });
    assert.deepEqual(target, {
      gatewayUrl: 'http://127.0.0.1:18080',
      frontendSecret: 'secret',
      postgresUrl: 'postgres://u:p@127.0.0.1:5432/p',
      imagesDir: '/x',
    });
  });
});
