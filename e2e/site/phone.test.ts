/**
 * The buyer's journey on a phone (360×740, touch) in a real browser: search, open a product,
 * add it to the cart, check out and see the order — every page without horizontal scrolling,
 * without a serious axe-core violation, and never a token in the page after any step.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { e2eWorld } from '../support/world.js';
import type { World } from '../support/world.js';
import { seriousViolations } from './support/axe.js';
import { assertNoTokenLeak, launchChromium, signedIn } from './support/browser.js';
import { screenshot } from './support/screenshots.js';
import { openShop } from './support/shop.js';
import type { Shop } from './support/shop.js';

const PHONE = { width: 360, height: 740 };

describe('the buyer on a phone', function () {
  this.timeout(60_000);
  let world: World;
  let browser: Browser;
  let site: string;
  let shop: Shop;
  /** A made-up word in this file's product names, so the search sees only them. */
  const tag = `zq${randomBytes(4).toString('hex').replace(/\d/g, 'x')}`;

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    site = world.stack.info.urls.gateway;
    [browser, shop] = await Promise.all([launchChromium(), openShop(world, tag)]);
  });

  after(async () => {
    await browser?.close();
  });

  /** What every step checks once its page is there: it fits the screen, passes axe, holds no token. */
  async function checkStep(page: Page, context: BrowserContext, name: string): Promise<void> {
    // A string, because this file is compiled without the DOM library: it runs in the page.
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(width <= PHONE.width, `${name} (${page.url()}) scrolls sideways: ${width}px wide`);
    await assertNoTokenLeak(page, context, world);
    const violations = await seriousViolations(page, `${name} on a phone`);
    assert.deepEqual(violations, [], violations.join('\n'));
    await screenshot(page, `phone-${name}`);
  }

  it('searches, adds to the cart, checks out and sees the order, all on a 360 px screen', async () => {
    const { context, page } = await signedIn(browser, site, shop.consumer, {
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    try {
      await page.goto(site);
      await checkStep(page, context, 'home');

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalogue' }).tap();
      await page.waitForURL(`${site}/products`);
      await page.getByLabel('Search', { exact: true }).fill(tag);
      await page.getByRole('button', { name: 'Search' }).tap();
      await page.waitForURL((url) => url.searchParams.get('q') === tag);
      await page.getByRole('link', { name: shop.productName }).waitFor();
      await checkStep(page, context, 'search');

      await page.getByRole('link', { name: shop.productName }).tap();
      await page.waitForURL(`${site}/products/${shop.productId}`);
      await page.getByRole('heading', { level: 1, name: shop.productName }).waitFor();
      await checkStep(page, context, 'product');

      await page.getByLabel('Quantity').fill('3');
      await page.getByRole('button', { name: 'Add to cart' }).tap();
      await page.getByTestId('cart-added').getByRole('link', { name: 'Go to the cart' }).tap();
      await page.waitForURL(`${site}/cart`);
      await page.getByTestId('cart-line').filter({ hasText: shop.productName }).waitFor();
      await checkStep(page, context, 'cart');

      await page.getByTestId('to-checkout').tap();
      await page.waitForURL(`${site}/checkout`);
      await page.getByRole('button', { name: 'Place order' }).waitFor();
      await checkStep(page, context, 'checkout');

      await page.getByRole('button', { name: 'Place order' }).tap();
      await page.getByTestId('placed-order').first().waitFor();
      await checkStep(page, context, 'placed');

      await page.getByRole('link', { name: 'See this order' }).first().tap();
      await page.waitForURL(/\/orders\/[^/]+$/);
      await page.getByTestId('order-status').waitFor();
      const lines = (await page.locator('main').textContent()) ?? '';
      assert.ok(lines.includes(shop.productName), 'the order shows the product bought');
      await checkStep(page, context, 'order');
    } finally {
      await context.close();
    }
  });
});
