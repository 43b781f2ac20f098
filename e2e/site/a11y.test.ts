/**
 * Every main page of the site through axe-core (WCAG 2.1 A and AA rules) in a real browser,
 * as the visitor, buyer, seller and admin who see it: no serious or critical violation. Each
 * signed-in page is also checked for tokens, and every page is saved as a desktop screenshot.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { e2eWorld } from '../support/world.js';
import type { World } from '../support/world.js';
import { seriousViolations } from './support/axe.js';
import { assertNoTokenLeak, createAdmin, launchChromium, openPage, signedIn } from './support/browser.js';
import type { Person } from './support/browser.js';
import { screenshot } from './support/screenshots.js';
import { openShop } from './support/shop.js';
import type { Shop } from './support/shop.js';

const DESKTOP = { width: 1280, height: 800 };

describe('every main page passes axe-core', function () {
  this.timeout(60_000);
  let world: World;
  let browser: Browser;
  let site: string;
  let shop: Shop;
  let admin: Person;

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    site = world.stack.info.urls.gateway;
    [browser, shop, admin] = await Promise.all([launchChromium(), openShop(world), createAdmin(world)]);
  });

  after(async () => {
    await browser?.close();
  });

  /**
   * Opens each page, runs axe, saves a screenshot, checks for tokens when signed in; the
   * violations of all pages are reported together, so one run shows everything to fix.
   */
  async function walk(
    context: BrowserContext,
    page: Page,
    pages: Record<string, string>,
    signedInAs: boolean,
  ): Promise<void> {
    const found: string[] = [];
    for (const [name, target] of Object.entries(pages)) {
      // 'load', not 'networkidle': the order page keeps its event stream open.
      const response = await page.goto(`${site}${target}`, { waitUntil: 'load' });
      assert.equal(response?.status(), 200, `${name} (${target}) answered ${String(response?.status())}`);
      assert.equal(new URL(page.url()).pathname, target.split('?')[0], `${name} was redirected`);
      found.push(...(await seriousViolations(page, name)));
      await screenshot(page, `desktop-${name}`);
      if (signedInAs) await assertNoTokenLeak(page, context, world);
    }
    assert.deepEqual(found, [], found.join('\n'));
  }

  it('the public pages, signed out', async () => {
    const { context, page } = await openPage(browser, { viewport: DESKTOP });
    try {
      await walk(
        context,
        page,
        {
          home: '/',
          search: `/products?q=${encodeURIComponent('gloves')}`,
          product: `/products/${shop.productId}`,
          'seller-profile': `/sellers/${shop.seller.id}`,
          login: '/login',
          register: '/register',
          'password-reset': '/password-reset',
        },
        false,
      );
    } finally {
      await context.close();
    }
  });

  it("the buyer's pages", async () => {
    const { context, page } = await signedIn(browser, site, shop.consumer, { viewport: DESKTOP });
    try {
      await walk(
        context,
        page,
        {
          cart: '/cart',
          checkout: '/checkout',
          orders: '/orders',
          order: `/orders/${shop.orderId}`,
          analytics: '/analytics',
          account: '/account',
        },
        true,
      );
    } finally {
      await context.close();
    }
  });

  it("the seller's pages", async () => {
    const { context, page } = await signedIn(browser, site, shop.seller, { viewport: DESKTOP });
    try {
      await walk(
        context,
        page,
        {
          'seller-dashboard': '/seller',
          'seller-products': '/seller/products',
          'seller-product-edit': `/seller/products/${shop.productId}`,
          'seller-orders': '/seller/orders',
        },
        true,
      );
    } finally {
      await context.close();
    }
  });

  it("the admin's pages", async () => {
    const { context, page } = await signedIn(browser, site, admin, { viewport: DESKTOP });
    try {
      await walk(
        context,
        page,
        { 'admin-products': '/admin/products', 'admin-accounts': '/admin/accounts' },
        true,
      );
    } finally {
      await context.close();
    }
  });
});
