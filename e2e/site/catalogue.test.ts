/**
 * The public pages in a real browser, through the gateway of the shared e2e stack: catalogue
 * search with filters, facets, sorts and keyset pages all in the URL (with JavaScript off too),
 * the product page (gallery, reviews, add to cart), registering, and a password reset by email.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { field } from '../support/gateway-client.js';
import { e2eWorld } from '../support/world.js';
import type { Account, World } from '../support/world.js';
import { fillSignIn, launchChromium, openPage } from './support/browser.js';

interface SinkMail {
  to: { address: string }[];
  subject: string;
  text?: string;
}

describe('the public pages in a browser', function () {
  this.timeout(120_000);
  let world: World;
  let browser: Browser;
  let site: string;
  /** A made-up word in every product name of this file, so the search sees only them. */
  const tag = `zq${randomBytes(6).toString('hex').replace(/\d/g, 'x')}`;
  const productIds: string[] = [];

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    site = world.stack.info.urls.gateway;
    browser = await launchChromium();
    const seller = await world.register('seller');
    const { access_token } = await world.gateway.loginTokens(seller.username, seller.password);
    // 10 fasteners and 3 adhesives: 13 results, one more than a page of 12.
    for (let i = 1; i <= 13; i += 1) {
      const created = await world.gateway.call('/api/products', {
        token: access_token,
        json: {
          name: `Hex bolt ${tag} M${i}`,
          category: i <= 10 ? 'Fasteners' : 'Adhesives',
          priceMinor: 100 * i,
          currency: 'EUR',
          stock: i % 4 === 0 ? 0 : 50,
          attributes: { thread: `M${i}`, zinc_plated: true },
        },
      });
      assert.equal(created.status, 201, created.text);
      productIds.push(String(field(created.body, 'id')));
    }
    const first = productIds[0] ?? '';
    for (const colour of ['#2a6', '#a26']) {
      const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: colour } })
        .png()
        .toBuffer();
      const form = new FormData();
      form.append('image', new Blob([png], { type: 'image/png' }), 'bolt.png');
      const upload = await fetch(`${site}/api/products/${first}/images`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}` },
        body: form,
      });
      assert.equal(upload.status, 201, await upload.text());
    }
    await waitFor(
      async () => {
        const list = await world.gateway.call(`/api/products/${first}/images`);
        const items = field(list.body, 'items');
        return Array.isArray(items) && items.every((item) => field(item, 'status') === 'ready');
      },
      { timeoutMs: 30_000, what: 'both thumbnails' },
    );
  });

  after(async () => {
    await browser?.close();
  });

  const newPage = (options: { javaScriptEnabled?: boolean } = {}) =>
    openPage(browser, { javaScriptEnabled: options.javaScriptEnabled ?? true });

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${site}/login`);
    await fillSignIn(page, { username, password });
  }

  async function mailTo(address: string, subject: RegExp): Promise<SinkMail> {
    return waitFor(
      async () => {
        const response = await httpRequest(`${world.stack.info.urls.smtpWeb}/email`);
        const list = Array.isArray(response.body) ? (response.body as SinkMail[]) : []; // maildev's REST API shape
        return list.find(
          (mail) => subject.test(mail.subject) && mail.to.some((to) => to.address === address),
        );
      },
      { timeoutMs: 30_000, what: `an email to ${address}` },
    );
  }

  const prices = async (page: Page): Promise<string[]> => page.getByTestId('price').allInnerTexts();

  it('searches with filters and sort through the URL without JavaScript, with facet counts', async () => {
    const { context, page } = await newPage({ javaScriptEnabled: false });
    try {
      await page.goto(`${site}/products?q=${tag}`);
      const facets = page.getByTestId('facet');
      const counts = (await facets.allInnerTexts()).map((text) => text.replace(/\s+/g, ' '));
      assert.deepEqual(counts, ['Fasteners 10', 'Adhesives 3']);
      await page.getByLabel('Lowest price').fill('2');
      await page.getByLabel('Highest price').fill('9.50');
      await page.getByLabel('In stock only').check();
      await page.getByLabel('Sort by').selectOption('price_desc');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForURL(/sort=price_desc/);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('minPrice'), '2');
      assert.equal(url.searchParams.get('inStock'), '1');
      // 2–9.50 EUR in stock: 9, 7, 6, 5, 3, 2 (4 and 8 are out of stock), dearest first.
      assert.deepEqual(await prices(page), ['€9.00', '€7.00', '€6.00', '€5.00', '€3.00', '€2.00']);
      // Facets count under every filter but the category: the dear adhesives are gone.
      await page.getByRole('link', { name: /Fasteners/ }).click();
      await page.waitForURL(/category=Fasteners/);
      assert.deepEqual(
        (await facets.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ')),
        ['Fasteners 6'],
      );
      assert.equal((await prices(page)).length, 6);
      assert.equal(new URL(page.url()).searchParams.get('sort'), 'price_desc');
      // An invalid value: the service's field error shows next to its input.
      await page.goto(`${site}/products?q=${tag}&minRating=7`);
      await page.locator('#error-minRating').waitFor();
      assert.equal(await page.getByLabel('Minimum rating').getAttribute('aria-invalid'), 'true');
    } finally {
      await context.close();
    }
  });

  it('pages to the second page by cursor and back with the browser', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${site}/products?q=${tag}&sort=price_asc`);
      assert.equal((await prices(page)).length, 12);
      assert.equal((await prices(page))[0], '€1.00');
      await page.getByRole('link', { name: 'Next page' }).click();
      await page.waitForURL(/cursor=/);
      await page.getByText('€13.00').waitFor();
      assert.deepEqual(await prices(page), ['€13.00']);
      await page.goBack();
      await page.waitForURL((url) => !url.searchParams.has('cursor'));
      await page.getByText('€12.00').waitFor();
      assert.equal((await prices(page)).length, 12);
    } finally {
      await context.close();
    }
  });

  it('shows the product page: gallery thumbnails, details, seller and the reviews area', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${site}/products/${productIds[0] ?? ''}`);
      await page.getByRole('heading', { level: 1, name: `Hex bolt ${tag} M1` }).waitFor();
      const thumbnails = page.getByTestId('thumbnail');
      assert.equal(await thumbnails.count(), 2);
      const large = page.getByTestId('large-image').locator('img');
      const before = await large.getAttribute('src');
      await thumbnails.nth(1).click();
      await waitFor(async () => (await large.getAttribute('src')) !== before, {
        timeoutMs: 5_000,
        what: 'the large image',
      });
      // The served image really loads (same origin, allowed by the CSP).
      // The served image really loads (same origin, allowed by the CSP). A string, because this
      // file is compiled without the DOM library: it runs in the page.
      await waitFor(
        async () =>
          Number(
            await page.evaluate("document.querySelector('[data-testid=large-image] img')?.naturalWidth ?? 0"),
          ) > 0,
        { timeoutMs: 10_000, what: 'the large image to load' },
      );
      await page.getByTestId('attributes').getByText('M1').waitFor();
      await page.getByTestId('seller-card').waitFor();
      await page.getByTestId('reviews').getByText('No reviews yet.').waitFor();
      assert.equal(await page.getByRole('link', { name: 'Sign in' }).first().isVisible(), true);
    } finally {
      await context.close();
    }
  });

  it('adds a product to the cart as a consumer, with a confirmation linking to the cart', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await newPage();
    try {
      await signIn(page, consumer.username, consumer.password);
      await page.getByTestId('signed-in-as').waitFor();
      await page.goto(`${site}/products/${productIds[1] ?? ''}`);
      await page.getByLabel('Quantity').fill('3');
      await page.getByRole('button', { name: 'Add to cart' }).click();
      const added = page.getByTestId('cart-added');
      await added.waitFor();
      assert.match(await added.innerText(), /Added 3/);
      assert.equal(await added.getByRole('link', { name: 'Go to the cart' }).getAttribute('href'), '/cart');
      const { access_token } = await world.gateway.loginTokens(consumer.username, consumer.password);
      const cart = await world.gateway.call('/api/cart', { token: access_token });
      const items = field(cart.body, 'items');
      assert.ok(Array.isArray(items));
      assert.equal(field(items[0], 'quantity'), 3);
    } finally {
      await context.close();
    }
  });

  it('registers a consumer through the form without JavaScript; the welcome email arrives', async () => {
    const taken: Account = await world.register('consumer');
    const account = world.newAccount('consumer');
    const { context, page } = await newPage({ javaScriptEnabled: false });
    try {
      await page.goto(`${site}/register`);
      await page.getByLabel('Company name').fill(account.companyName);
      await page.getByLabel('Username').fill(taken.username);
      await page.getByLabel('Email').fill(account.email);
      await page.getByLabel('Password').fill(account.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.locator('#error-username').getByText(/taken/).waitFor();
      assert.equal(await page.getByLabel('Email').inputValue(), account.email);
      await page.getByLabel('Username').fill(account.username);
      await page.getByLabel('Password').fill(account.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL(`${site}/account`);
      await page.getByTestId('signed-in-as').getByText(account.companyName).waitFor();
      const mail = await mailTo(account.email, /./);
      assert.match(`${mail.subject}\n${mail.text ?? ''}`, new RegExp(account.companyName));
    } finally {
      await context.close();
    }
  });

  it('resets a password: request, email, link, new password, sign in with it', async () => {
    const account = await world.register('consumer');
    const { context, page } = await newPage();
    try {
      await page.goto(`${site}/password-reset`);
      await page.getByLabel('Email').fill(account.email);
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByTestId('reset-sent').waitFor();
      const mail = await mailTo(account.email, /reset/i);
      const link = /https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
      assert.ok(link, `a reset link in: ${mail.text ?? ''}`);
      assert.equal(new URL(link).origin, site);
      await page.goto(link);
      const newPassword = 'fresh walrus lantern 42';
      await page.getByLabel('New password', { exact: true }).fill(newPassword);
      await page.getByLabel('Repeat the new password').fill(newPassword);
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByTestId('reset-done').waitFor();
      await signIn(page, account.username, newPassword);
      await page.waitForURL(`${site}/account`);
    } finally {
      await context.close();
    }
  });
});
