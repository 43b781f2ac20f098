/**
 * The site in a real browser (Debian's Chromium driven by playwright-core), through the gateway
 * of the shared e2e stack: the home page, signing in with and without JavaScript, the role
 * guards, and that no token ever reaches the page.
 */
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { field } from '../support/gateway-client.js';
import { e2eWorld } from '../support/world.js';
import type { World } from '../support/world.js';
import { assertNoTokenInPage, fillSignIn, launchChromium, openPage, sessionOf } from './support/browser.js';

describe('the site in a browser', function () {
  this.timeout(120_000);
  let world: World;
  let browser: Browser;
  let site: string;
  let productName: string;

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    site = world.stack.info.urls.gateway;
    browser = await launchChromium();
    const seller = await world.register('seller');
    const { access_token } = await world.gateway.loginTokens(seller.username, seller.password);
    productName = `Nitrile gloves ${seller.username}`;
    const created = await world.gateway.call('/api/products', {
      token: access_token,
      json: { name: productName, category: 'Safety & PPE', priceMinor: 1299, currency: 'EUR', stock: 40 },
    });
    assert.equal(created.status, 201, created.text);
  });

  after(async () => {
    await browser?.close();
  });

  const newPage = (options: { javaScriptEnabled?: boolean } = {}) =>
    openPage(browser, { javaScriptEnabled: options.javaScriptEnabled ?? true });

  it('shows new products and categories on the home page, with security headers', async () => {
    const { context, page } = await newPage();
    try {
      const response = await page.goto(site);
      assert.equal(response?.status(), 200);
      const headers = response?.headers() ?? {};
      assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
      assert.equal(headers['x-content-type-options'], 'nosniff');
      assert.ok(headers['referrer-policy']);
      await page.getByRole('heading', { level: 3, name: productName }).waitFor();
      assert.ok(await page.getByText('Safety & PPE').first().isVisible());
    } finally {
      await context.close();
    }
  });

  it('signs a consumer in through the form and shows their account, never a token', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await newPage();
    try {
      await page.goto(`${site}/login`);
      await fillSignIn(page, consumer);
      await page.waitForURL(`${site}/account`);
      await page.getByTestId('profile').getByText(consumer.email).waitFor();
      await assertNoTokenInPage(page, await sessionOf(context, world));
    } finally {
      await context.close();
    }
  });

  it('signs in without JavaScript, and keeps the typed username on a wrong password', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await newPage({ javaScriptEnabled: false });
    try {
      await page.goto(`${site}/login`);
      await fillSignIn(page, { ...consumer, password: 'not the password at all' });
      await page.getByTestId('form-error').waitFor();
      assert.equal(await page.getByLabel('Username').inputValue(), consumer.username);
      await fillSignIn(page, consumer);
      await page.waitForURL(`${site}/account`);
      await page.getByTestId('profile').getByText(consumer.username).waitFor();
      await assertNoTokenInPage(page, await sessionOf(context, world));
    } finally {
      await context.close();
    }
  });

  it('sends anonymous visitors to login and back, and a consumer away from seller pages', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await newPage();
    try {
      await page.goto(`${site}/account`);
      assert.equal(page.url(), `${site}/login?returnTo=%2Faccount`);
      await fillSignIn(page, consumer);
      await page.waitForURL(`${site}/account`);
      await page.goto(`${site}/seller`);
      assert.equal(page.url(), `${site}/`);
      assert.match(await page.getByTestId('flash').innerText(), /for seller accounts/);
      await page.goto(`${site}/admin`);
      assert.equal(page.url(), `${site}/`);
    } finally {
      await context.close();
    }
  });

  it('signs out: the cookie is gone and the refresh token is revoked', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await newPage();
    try {
      await page.goto(`${site}/login`);
      await fillSignIn(page, consumer);
      await page.waitForURL(`${site}/account`);
      const session = await sessionOf(context, world);
      const before = await world.gateway.oauth('introspect', { token: session.refreshToken });
      assert.equal(field(before.body, 'active'), true, before.text);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByTestId('flash').getByText('You are signed out.').waitFor();
      const cookies = await context.cookies(site);
      assert.equal(
        cookies.some((cookie) => cookie.name === 'ms_session'),
        false,
      );
      const after = await world.gateway.oauth('introspect', { token: session.refreshToken });
      assert.equal(field(after.body, 'active'), false, after.text);
      await page.goto(`${site}/account`);
      assert.equal(page.url(), `${site}/login?returnTo=%2Faccount`);
    } finally {
      await context.close();
    }
  });
});
