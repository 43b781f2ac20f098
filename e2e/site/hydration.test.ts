/**
 * What a person types before the page's JavaScript has loaded survives hydration: forms are
 * filled while the bundle is held back, then the bundle loads and the page hydrates, and what
 * was typed is still there. The login is then sent by the enhanced form (so after hydration) and
 * signs in; the register form, the catalogue search and the seller's product form (a textarea)
 * keep their typing too, and a failed sign-in after hydration still shows the typed username.
 */
import assert from 'node:assert/strict';
import type { Browser, Page, Request } from 'playwright-core';
import { e2eWorld } from '../support/world.js';
import type { World } from '../support/world.js';
import { assertNoTokenLeak, launchChromium, openPage, signedIn } from './support/browser.js';
import { holdScripts, waitForHydration } from './support/hydration.js';

/** A field by its label, and what is typed into it (`true`/`false`: a box to tick or clear). */
type Typing = [label: string, text: string | boolean];

describe('typing before hydration', function () {
  this.timeout(60_000);
  let world: World;
  let browser: Browser;
  let site: string;

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    site = world.stack.info.urls.gateway;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it('keeps what was typed into the login form before hydration, and signs in with it', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await openPage(browser);
    try {
      const scripts = await holdScripts(page);
      await page.goto(`${site}/login`, { waitUntil: 'commit' });
      // Straight away, on the server's HTML: the bundle has been asked for and is still held.
      await page.getByLabel('Username').fill(consumer.username);
      await page.getByLabel('Password').fill(consumer.password);
      assert.ok(scripts.held() > 0, 'the page asked for its JavaScript and is waiting for it');
      scripts.release();
      await waitForHydration(page);
      assert.equal(await page.getByLabel('Username').inputValue(), consumer.username);
      assert.equal(await page.getByLabel('Password').inputValue(), consumer.password);

      // The enhanced form sends it (a fetch with SvelteKit's action header): hydration had run.
      const sent = page.waitForRequest(
        (request: Request) => request.method() === 'POST' && new URL(request.url()).pathname === '/login',
      );
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal((await sent).headers()['x-sveltekit-action'], 'true', 'sent by the hydrated form');
      await page.getByTestId('signed-in-as').waitFor();
      await assertNoTokenLeak(page, context, world);
    } finally {
      await context.close();
    }
  });

  /** Opens `path` with the bundle held, types, lets the bundle load, and checks the typing stayed. */
  async function typeBeforeHydration(page: Page, path: string, typing: Typing[]): Promise<void> {
    const scripts = await holdScripts(page);
    await page.goto(`${site}${path}`, { waitUntil: 'commit' });
    for (const [label, text] of typing) {
      const field = page.getByLabel(label, { exact: true });
      await (typeof text === 'boolean' ? field.setChecked(text) : field.fill(text));
    }
    assert.ok(scripts.held() > 0, `${path} is waiting for its JavaScript`);
    scripts.release();
    await waitForHydration(page);
    for (const [label, text] of typing) {
      const field = page.getByLabel(label, { exact: true });
      const kept = typeof text === 'boolean' ? await field.isChecked() : await field.inputValue();
      assert.equal(kept, text, `${label} on ${path}`);
    }
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  }

  it('keeps the typing in the register form, the catalogue search and the product form', async () => {
    const account = world.newAccount('consumer');
    const { context, page } = await openPage(browser);
    const seller = await world.register('seller');
    const sellerSide = await signedIn(browser, site, seller);
    try {
      await typeBeforeHydration(page, '/products', [
        ['Search', 'hex bolts'],
        ['Lowest price', '2.50'],
        ['In stock only', true],
      ]);
      await typeBeforeHydration(page, '/register', [
        ['Company name', account.companyName],
        ['Username', account.username],
        ['Email', account.email],
        ['Password', account.password],
        ["Sell my company's products", true],
      ]);
      await page.getByRole('button', { name: 'Create account' }).click();
      // The ticked role went with the form: a seller's home is the seller area.
      await page.waitForURL(`${site}/seller`);
      await typeBeforeHydration(sellerSide.page, '/seller/products/new', [
        ['Name', 'Hex bolts M10'],
        ['Description (optional)', 'Typed before the page was ready.'],
        ['Publish now', false], // ticked by default
      ]);
    } finally {
      await sellerSide.context.close();
      await context.close();
    }
  });

  it('after hydration, a failed sign-in keeps the typed username beside the error', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await openPage(browser);
    try {
      await typeBeforeHydration(page, '/login', [
        ['Username', consumer.username],
        ['Password', 'not the password'],
      ]);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('form-error').waitFor();
      assert.equal(await page.getByLabel('Username').inputValue(), consumer.username);
    } finally {
      await context.close();
    }
  });
});
