/**
 * The admin pages in a real browser, through the gateway of the shared e2e stack: unpublish a
 * product (search no longer finds it) and restore it, and find an account and deactivate it
 * (that user's next request signs them out). The admin is made with ms-users' create-admin CLI
 * against the stack's own database, as an operator would.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { field } from '../support/gateway-client.js';
import { e2eWorld } from '../support/world.js';
import type { World } from '../support/world.js';
import { createAdmin, launchChromium, signedIn as signedInAs } from './support/browser.js';
import type { Person } from './support/browser.js';

describe('the admin pages in a browser', function () {
  this.timeout(120_000);
  let world: World;
  let browser: Browser;
  let site: string;
  let admin: Person;

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    site = world.stack.info.urls.gateway;
    browser = await launchChromium();
    admin = await createAdmin(world);
  });

  after(async () => {
    await browser?.close();
  });

  function signedIn(person: Person): Promise<{ context: BrowserContext; page: Page }> {
    return signedInAs(browser, site, person);
  }

  async function searchFinds(name: string, id: string): Promise<boolean> {
    const found = await world.gateway.call(`/api/products?${new URLSearchParams({ q: name }).toString()}`);
    assert.equal(found.status, 200, found.text);
    const items = field(found.body, 'items');
    return Array.isArray(items) && items.some((item: unknown) => field(item, 'id') === id);
  }

  it('unpublishes a product, which leaves search, and restores it', async () => {
    const seller = await world.register('seller');
    const { access_token } = await world.gateway.loginTokens(seller.username, seller.password);
    const name = `Counterfeit helmet ${randomUUID().slice(0, 8)}`;
    const created = await world.gateway.call('/api/products', {
      token: access_token,
      json: { name, category: 'Safety & PPE', priceMinor: 2500, currency: 'EUR', stock: 5 },
    });
    assert.equal(created.status, 201, created.text);
    const id = String(field(created.body, 'id'));
    assert.equal(await searchFinds(name, id), true);

    const { context, page } = await signedIn(admin);
    try {
      await page.goto(`${site}/admin/products`);
      await page.getByLabel('Find products').fill(name);
      await page.getByRole('button', { name: 'Search' }).click();
      const row = page.locator(`[data-product-id="${id}"]`);
      await row.getByLabel(/Reason/).fill('Not a certified product.');
      await row.getByRole('button', { name: `Unpublish ${name}` }).click();
      await page
        .getByTestId('action-message')
        .getByText(/Unpublished/)
        .waitFor();
      assert.equal(await searchFinds(name, id), false);

      await page
        .locator(`[data-product-id="${id}"]`)
        .getByRole('button', { name: `Restore ${name}` })
        .click();
      await page
        .getByTestId('action-message')
        .getByText(/Restored/)
        .waitFor();
      // Restoring lifts the moderation; the product is back once its seller publishes it.
      const published = await world.gateway.call(`/api/products/${id}/publish`, {
        method: 'POST',
        token: access_token,
      });
      assert.equal(published.status, 200, published.text);
      assert.equal(await searchFinds(name, id), true);
    } finally {
      await context.close();
    }
  });

  it('finds an account and deactivates it: its next request signs it out', async () => {
    const consumer = await world.register('consumer');
    const victim = await signedIn(consumer);
    const { context, page } = await signedIn(admin);
    try {
      await victim.page.goto(`${site}/account`);
      // After hydration, or what is typed may be reset and the search run without it.
      await page.goto(`${site}/admin/accounts`, { waitUntil: 'networkidle' });
      await page.getByLabel('Name or email').fill(consumer.email);
      await page.getByLabel('Role').selectOption('consumer');
      await page.getByRole('button', { name: 'Find' }).click();
      await page.waitForURL((url) => url.searchParams.get('role') === 'consumer');
      const row = page.locator(`[data-account-id="${consumer.id}"]`);
      await row.waitFor();
      assert.equal(await page.getByTestId('account-row').count(), 1);
      await row.getByLabel(/Reason/).fill('Fraudulent orders.');
      await row.getByRole('button', { name: `Deactivate ${consumer.username}` }).click();
      await page
        .getByTestId('action-message')
        .getByText(/Deactivated/)
        .waitFor();
      await row.getByText('Deactivated', { exact: true }).waitFor();

      // The frontend refreshes a session's tokens at least every SESSION_ACCOUNT_CHECK_SECONDS
      // (1 s in the e2e stack), and ms-auth refuses a deactivated account's refresh.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await victim.page.reload();
      assert.equal(new URL(victim.page.url()).pathname, '/login');
      await victim.page.getByText('Your session ended. Please sign in again.').waitFor();
    } finally {
      await context.close();
      await victim.context.close();
    }
  });
});
