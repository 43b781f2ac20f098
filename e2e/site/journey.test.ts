/**
 * Issue 9 item 8, one buyer's whole journey in a real browser through the gateway: register
 * through the form, the welcome email, search and filter the catalogue, the product page, add to
 * cart, check out, the order's status changing live while the seller advances it on their own
 * orders page in a second browser context (with the buyer's emails for both moves), a review
 * of the delivered product, and the purchase in the analytics. No token in any page on the way.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { field } from '../support/gateway-client.js';
import { e2eWorld } from '../support/world.js';
import type { Account, World } from '../support/world.js';
import { assertNoTokenLeak, launchChromium, openPage, signedIn } from './support/browser.js';
import { mailTo } from './support/mail.js';

describe("a buyer's journey through the site", function () {
  this.timeout(90_000);
  let world: World;
  let browser: Browser;
  let site: string;
  let seller: Account & { id: string };
  /** A made-up word in every product name here, so the search sees only these products. */
  const tag = `jq${randomBytes(6).toString('hex').replace(/\d/g, 'y')}`;
  const productName = `Torx screws ${tag} T25`;
  let productId: string;

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    site = world.stack.info.urls.gateway;
    browser = await launchChromium();
    seller = await world.register('seller');
    const token = world.signer.sign({ sub: seller.id, role: 'seller' });
    // The one to buy, one the stock filter drops and one the category facet drops.
    const products = [
      { name: productName, category: 'Fasteners', priceMinor: 1250, stock: 20 },
      { name: `Torx screws ${tag} T30`, category: 'Fasteners', priceMinor: 1400, stock: 0 },
      { name: `Thread locker ${tag}`, category: 'Adhesives', priceMinor: 900, stock: 5 },
    ];
    const ids: string[] = [];
    for (const product of products) {
      const created = await world.gateway.call('/api/products', {
        token,
        json: { ...product, currency: 'EUR', description: 'Zinc-plated steel, sold by the box.' },
      });
      assert.equal(created.status, 201, created.text);
      ids.push(String(field(created.body, 'id')));
    }
    productId = ids[0] ?? '';
  });

  after(async () => {
    await browser?.close();
  });

  /** Every navigation ends here: the page is there, and no token is in it. */
  async function arrived(page: Page, context: BrowserContext, url: string | RegExp): Promise<void> {
    await page.waitForURL(url);
    await assertNoTokenLeak(page, context, world);
  }

  it('registers, finds, buys, follows the order live as the seller ships it, reviews, sees analytics', async () => {
    const buyer = world.newAccount('consumer');
    const { context, page } = await openPage(browser);
    let sellerSide: { context: BrowserContext; page: Page } | undefined;
    try {
      // Register through the form, with JavaScript; the welcome email reaches the sink.
      await page.goto(`${site}/register`);
      await page.getByLabel('Buy for my company').check();
      await page.getByLabel('Company name').fill(buyer.companyName);
      await page.getByLabel('Username').fill(buyer.username);
      await page.getByLabel('Email').fill(buyer.email);
      await page.getByLabel('Password').fill(buyer.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await arrived(page, context, `${site}/account`);
      await page.getByTestId('signed-in-as').getByText(buyer.companyName).waitFor();
      const welcome = await mailTo(world, buyer.email, /Welcome/);
      assert.match(welcome.subject, new RegExp(buyer.companyName));

      // Search, then narrow by the category facet and the stock filter: one product is left.
      await page.goto(`${site}/products?q=${tag}`);
      await assertNoTokenLeak(page, context, world);
      assert.equal(await page.getByTestId('product-tile').count(), 3);
      await page.getByTestId('facet').filter({ hasText: 'Fasteners' }).click();
      await arrived(page, context, /category=Fasteners/);
      assert.equal(await page.getByTestId('product-tile').count(), 2);
      await page.getByLabel('In stock only').check();
      await page.getByRole('button', { name: 'Search' }).click();
      await arrived(page, context, /inStock=1/);
      await page.getByTestId('product-tile').nth(1).waitFor({ state: 'detached' });
      assert.deepEqual(await page.getByTestId('product-tile').getByRole('heading').allInnerTexts(), [
        productName,
      ]);

      // The product page: add two to the cart, then the cart and the checkout.
      await page.getByRole('link', { name: productName }).click();
      await arrived(page, context, `${site}/products/${productId}`);
      await page.getByRole('heading', { level: 1, name: productName }).waitFor();
      await page.getByLabel('Quantity').fill('2');
      await page.getByRole('button', { name: 'Add to cart' }).click();
      const added = page.getByTestId('cart-added');
      await added.waitFor();
      await added.getByRole('link', { name: 'Go to the cart' }).click();
      await arrived(page, context, `${site}/cart`);
      await page.getByTestId('totals').getByText('€25.00').waitFor();
      await page.getByTestId('to-checkout').click();
      await arrived(page, context, `${site}/checkout`);
      await page.getByRole('button', { name: 'Place order' }).click();
      const placed = page.getByTestId('placed-order');
      await placed.waitFor();
      const orderId = (await placed.getAttribute('data-order-id')) ?? '';
      await assertNoTokenLeak(page, context, world);

      // The order page follows the status live while the seller works in another context.
      await placed.getByRole('link', { name: 'See this order' }).click();
      await arrived(page, context, `${site}/orders/${orderId}`);
      await page.getByTestId('live-state').getByText('Live:').waitFor();
      await page.evaluate('window.__samePage = true');

      sellerSide = await signedIn(browser, site, seller);
      const row = sellerSide.page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
      // The order reaches the seller's list once payment and stock are settled, asynchronously.
      for (let attempt = 0; attempt < 20 && (await row.count()) === 0; attempt += 1) {
        if (attempt > 0) await sellerSide.page.waitForTimeout(300);
        await sellerSide.page.goto(`${site}/seller/orders`);
      }
      await assertNoTokenLeak(sellerSide.page, sellerSide.context, world);
      const status = (value: string) => page.locator(`[data-testid="order-status"] [data-status="${value}"]`);
      await status('RECEIVED').waitFor();

      await row.getByRole('button', { name: /Mark as shipped/ }).click();
      await row.getByText('In delivery').waitFor();
      await status('IN_DELIVERY').waitFor();
      await mailTo(world, buyer.email, /has shipped/);

      await row.getByRole('button', { name: /Mark as delivered/ }).click();
      await row.getByText('Delivered', { exact: true }).waitFor();
      await status('DELIVERED').waitFor();
      await mailTo(world, buyer.email, /was delivered/);
      assert.equal(await page.evaluate('window.__samePage === true'), true, 'updated in place, not reloaded');
      await assertNoTokenLeak(sellerSide.page, sellerSide.context, world);
      await assertNoTokenLeak(page, context, world);

      // A review from the delivered order, which then shows on the product page.
      const review = page.getByTestId('review-form');
      await review.getByLabel('5 stars').check();
      await review.getByLabel('Your review (optional)').fill(`Right size, fast delivery ${tag}.`);
      await review.getByRole('button', { name: 'Send review' }).click();
      await page.getByTestId('review-sent').waitFor();
      await page.goto(`${site}/products/${productId}`);
      await assertNoTokenLeak(page, context, world);
      await page.getByTestId('review').getByText(`Right size, fast delivery ${tag}.`).waitFor();

      // The analytics: the purchase in the figures and in the bar chart's data table.
      await page.goto(`${site}/analytics`);
      await assertNoTokenLeak(page, context, world);
      await page.getByTestId('total-spent').getByText('€25.00').waitFor();
      const bars = page.getByTestId('bar-chart');
      assert.equal(await bars.locator('svg rect').count(), 1);
      const table = (await bars.locator('table').textContent()) ?? '';
      assert.ok(table.includes(seller.companyName) && table.includes('€25.00'), table);
    } finally {
      await sellerSide?.context.close();
      await context.close();
    }
  });
});
