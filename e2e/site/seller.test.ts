/**
 * The seller's back office in a real browser, through the gateway of the shared e2e stack:
 * create a product through the form, upload an image and see its thumbnail once the queued
 * job has made it, advance a buyer's order to DELIVERED, and the product form without
 * JavaScript.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { field } from '../support/gateway-client.js';
import { e2eWorld } from '../support/world.js';
import type { Account, World } from '../support/world.js';
import { launchChromium, signedIn as signedInAs } from './support/browser.js';

describe("the seller's back office in a browser", function () {
  this.timeout(120_000);
  let world: World;
  let browser: Browser;
  let site: string;
  let seller: Account & { id: string };

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    site = world.stack.info.urls.gateway;
    browser = await launchChromium();
    seller = await world.register('seller');
  });

  after(async () => {
    await browser?.close();
  });

  function signedIn(
    account: Account,
    javaScriptEnabled = true,
  ): Promise<{ context: BrowserContext; page: Page }> {
    return signedInAs(browser, site, account, { javaScriptEnabled });
  }

  async function fillProduct(page: Page, name: string, price: string): Promise<void> {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Description (optional)').fill('Powder-free, 100 per box.');
    await page.getByLabel('Category').fill('Safety & PPE');
    await page.getByLabel('Price').fill(price);
    await page.getByLabel('Currency').selectOption('EUR');
    await page.getByLabel('Stock').fill('25');
    await page.getByLabel('Attributes (optional)').fill('material: nitrile\nsize: L');
  }

  it('creates a product through the form and uploads an image whose thumbnail appears', async () => {
    const { context, page } = await signedIn(seller);
    try {
      await page.goto(`${site}/seller/products/new`);
      const name = `Nitrile gloves ${randomUUID().slice(0, 8)}`;
      // A wrong price first: the error sits by its field and what was typed stays.
      await fillProduct(page, name, '12.999');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.locator('#error-price').waitFor();
      assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), name);
      await page.getByLabel('Price').fill('12.99');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      const id = new URL(page.url()).pathname.split('/').at(-1) ?? '';
      const stored = await world.gateway.call(`/api/products/${id}`);
      assert.equal(stored.status, 200, stored.text);
      assert.equal(field(stored.body, 'priceMinor'), 1299);
      assert.deepEqual(field(stored.body, 'attributes'), { material: 'nitrile', size: 'L' });

      const file = path.join(os.tmpdir(), `seller-e2e-${randomUUID()}.png`);
      const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#2a6' } })
        .png()
        .toBuffer();
      await writeFile(file, png);
      await page.getByLabel('Image file').setInputFiles(file);
      await page.getByTestId('image-preview').waitFor();
      await page.getByLabel('Description of the image (optional)').fill('A box of gloves');
      await page.getByRole('button', { name: 'Upload image' }).click();
      // Pending first or straight to ready: either way the page polls until the thumbnail shows.
      const thumbnail = page.getByTestId('thumbnail');
      await thumbnail.waitFor({ timeout: 30_000 });
      assert.equal(await thumbnail.getAttribute('alt'), 'A box of gloves');
      const src = (await thumbnail.getAttribute('src')) ?? '';
      const image = await page.request.get(new URL(src, site).toString());
      assert.equal(image.status(), 200);
      assert.equal(image.headers()['content-type'], 'image/webp');

      await page.goto(`${site}/seller/products?status=published`);
      await page.getByRole('link', { name, exact: true }).waitFor();
    } finally {
      await context.close();
    }
  });

  it("advances a buyer's order to DELIVERED on the orders page", async () => {
    const { access_token: sellerToken } = await world.gateway.loginTokens(seller.username, seller.password);
    const created = await world.gateway.call('/api/products', {
      method: 'POST',
      token: sellerToken,
      json: {
        name: `Hex bolts ${randomUUID().slice(0, 6)}`,
        category: 'Fasteners',
        priceMinor: 450,
        currency: 'EUR',
        stock: 10,
      },
    });
    assert.equal(created.status, 201, created.text);
    const consumer = await world.register('consumer');
    const { access_token: consumerToken } = await world.gateway.loginTokens(
      consumer.username,
      consumer.password,
    );
    const checkout = await world.gateway.call('/api/orders/checkout', {
      method: 'POST',
      token: consumerToken,
      headers: { 'idempotency-key': randomUUID() },
      json: { items: [{ productId: String(field(created.body, 'id')), quantity: 2 }] },
    });
    assert.ok(checkout.status < 300, checkout.text);
    const orders = field(checkout.body, 'orders');
    const orderId = String(field(Array.isArray(orders) ? orders[0] : undefined, 'id'));

    const { context, page } = await signedIn(seller);
    try {
      const row = page.locator(`[data-order-id="${orderId}"]`);
      // The order is RECEIVED once payment and stock are settled, asynchronously.
      for (let attempt = 0; attempt < 20; attempt += 1) {
        await page.goto(`${site}/seller/orders?status=RECEIVED`);
        if ((await row.count()) > 0) break;
        await page.waitForTimeout(500);
      }
      // All orders from here: an advanced order leaves the RECEIVED filter.
      await page.goto(`${site}/seller/orders`);
      await row.getByRole('button', { name: /Mark as shipped/ }).click();
      await row.getByText('In delivery').waitFor();
      await row.getByRole('button', { name: /Mark as delivered/ }).click();
      await row.getByText('Delivered', { exact: true }).waitFor();
      const order = await world.gateway.call(`/api/orders/${orderId}`, { token: consumerToken });
      assert.equal(field(order.body, 'status'), 'DELIVERED');

      await page.goto(`${site}/seller`);
      await page.getByTestId('sales-figures').waitFor();
      await page.getByText('Orders by status').waitFor();
    } finally {
      await context.close();
    }
  });

  it('creates and edits a product with JavaScript disabled', async () => {
    const { context, page } = await signedIn(seller, false);
    try {
      await page.goto(`${site}/seller/products/new`);
      const name = `Safety goggles ${randomUUID().slice(0, 8)}`;
      await fillProduct(page, name, '');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.locator('#error-price').waitFor();
      assert.equal(await page.getByLabel('Category').inputValue(), 'Safety & PPE');
      await page.getByLabel('Price').fill('8,50');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      await page.getByLabel('Stock').fill('3');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByTestId('notice').getByText('Changes saved.').waitFor();
      await page.getByRole('button', { name: 'Unpublish' }).click();
      await page.getByTestId('notice').getByText('Product unpublished.').waitFor();
      const id = new URL(page.url()).pathname.split('/').at(-1) ?? '';
      const { access_token } = await world.gateway.loginTokens(seller.username, seller.password);
      const stored = await world.gateway.call(`/api/products/${id}`, { token: access_token });
      assert.equal(field(stored.body, 'priceMinor'), 850);
      assert.equal(field(stored.body, 'stock'), 3);
      assert.equal(field(stored.body, 'status'), 'unpublished');
    } finally {
      await context.close();
    }
  });

  it('sends a seller typing /cart or /admin home, and a consumer typing /seller/products', async () => {
    const { context, page } = await signedIn(seller);
    try {
      for (const target of ['/cart', '/admin']) {
        await page.goto(`${site}${target}`);
        assert.equal(new URL(page.url()).pathname, '/');
        await page.getByTestId('flash').waitFor();
      }
    } finally {
      await context.close();
    }
    const consumer = await world.register('consumer');
    const other = await signedIn(consumer);
    try {
      await other.page.goto(`${site}/seller/products`);
      assert.equal(new URL(other.page.url()).pathname, '/');
      await other.page.getByText('That page is for seller accounts.').waitFor();
    } finally {
      await other.context.close();
    }
  });
});
