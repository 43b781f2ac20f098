/**
 * The catalogue end to end: a seller publishes a product with an image through the gateway, the
 * thumbnail is made from the queued job, anyone finds the product by full-text search, and
 * ms-orders' service token reserves stock on the internal API (never routed by the gateway).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { ClientCredentialsTokenSource } from '@marketshare/platform';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import { field } from './support/gateway-client.js';
import { e2eWorld, PASSWORD, type World } from './support/world.js';

describe('end to end: catalogue through the gateway', function () {
  this.timeout(60_000);
  let w: World;
  let sellerToken = '';
  let productId = '';
  const marker = `zanzibarite${randomUUID().slice(0, 6)}`;

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    const seller = await w.register('seller');
    sellerToken = (await w.gateway.loginTokens(seller.username, PASSWORD)).access_token;
  });

  it('lets a seller publish a product that anyone can read', async () => {
    const created = await w.gateway.call('/api/products', {
      method: 'POST',
      token: sellerToken,
      json: {
        name: `Stainless ${marker} flange`,
        description: 'A DN50 flange for process piping.',
        category: 'Industrial supplies',
        priceMinor: 12_50,
        currency: 'EUR',
        stock: 5,
      },
    });
    assert.equal(created.status, 201, created.text);
    productId = String(field(created.body, 'id'));
    const anonymous = await w.gateway.call(`/api/products/${productId}`);
    assert.equal(anonymous.status, 200);
    assert.equal(field(anonymous.body, 'priceMinor'), 1250);
    const anonymousWrite = await w.gateway.call('/api/products', { method: 'POST', json: { name: 'x' } });
    assert.equal(anonymousWrite.status, 401);
  });

  it('finds the product by full-text search', async () => {
    const found = await w.gateway.call(`/api/products?q=${marker}`);
    assert.equal(found.status, 200, found.text);
    const items = (field(found.body, 'items') ?? []) as { id: string }[]; // the search response's item list
    assert.deepEqual(
      items.map((item) => item.id),
      [productId],
    );
  });

  it('accepts an image upload and serves its thumbnail once the job has run', async () => {
    const png = await sharp({ create: { width: 800, height: 400, channels: 3, background: '#2a6' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('image', new Blob([png], { type: 'image/png' }), 'flange.png');
    const upload = await fetch(`${w.stack.info.urls.gateway}/api/products/${productId}/images`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sellerToken}` },
      body: form,
    });
    assert.equal(upload.status, 201, await upload.clone().text());
    const imageId = String(field(await upload.json(), 'id'));
    const thumbnailUrl = `${w.stack.info.urls.gateway}/api/products/${productId}/images/${imageId}/thumbnail`;
    const thumbnail = await waitFor(
      async () => {
        const response = await fetch(thumbnailUrl);
        return response.status === 200 ? Buffer.from(await response.arrayBuffer()) : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the thumbnail' },
    );
    const { width, height } = await sharp(thumbnail).metadata();
    assert.deepEqual([width, height], [320, 160]);
  });

  it("reserves stock for ms-orders' service token on the internal API, which the gateway never routes", async () => {
    const { info } = w.stack;
    const tokens = new ClientCredentialsTokenSource({
      tokenUrl: `${info.urls.gateway}/api/auth/token`,
      clientId: 'ms-orders',
      clientSecret: info.secrets['CLIENT_SECRET_MS_ORDERS'] ?? '',
      scope: 'stock:reserve',
    });
    const body = { orderId: `order-${randomUUID()}`, items: [{ productId, quantity: 2 }] };
    const headers = { authorization: `Bearer ${await tokens.getToken()}` };
    const throughGateway = await w.gateway.call('/internal/stock/reservations', {
      method: 'POST',
      headers,
      json: body,
    });
    assert.equal(throughGateway.status, 404);
    const direct = await httpRequest(`${info.urls.services['ms-products']}/internal/stock/reservations`, {
      method: 'POST',
      headers,
      json: body,
    });
    assert.equal(direct.status, 201, direct.text);
    const product = await w.gateway.call(`/api/products/${productId}`);
    assert.equal(field(product.body, 'stock'), 3);
  });
});
