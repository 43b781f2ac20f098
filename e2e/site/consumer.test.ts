/**
 * The buyer's pages in a real browser, through the gateway of the shared e2e stack: cart,
 * checkout (a double submit orders once), the order's status changing live while the seller
 * advances it through the API, a review, the analytics chart; the same checkout without
 * JavaScript; and never a token in the page.
 */
import assert from 'node:assert/strict';
import { waitFor } from '@marketshare/platform/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { field } from '../support/gateway-client.js';
import { OrdersWorld } from '../support/orders-world.js';
import type { OrderView, Person } from '../support/orders-world.js';
import { e2eWorld } from '../support/world.js';
import type { Account, World } from '../support/world.js';
import { assertNoTokenLeak, fillSignIn, launchChromium, openPage } from './support/browser.js';

type Buyer = Account & { id: string; token: string };

describe("the consumer's pages in a browser", function () {
  this.timeout(120_000);
  let world: World;
  let orders: OrdersWorld;
  let browser: Browser;
  let site: string;
  let seller: Person & { companyName: string };
  let productId: string;
  let productName: string;

  before(async function () {
    this.timeout(300_000);
    world = await e2eWorld();
    orders = new OrdersWorld(world);
    site = world.stack.info.urls.gateway;
    browser = await launchChromium();
    const account = await world.register('seller');
    seller = { ...account, token: world.signer.sign({ sub: account.id, role: 'seller' }) };
    productId = await orders.createProduct(seller, 50, 1250);
    const product = await world.gateway.call(`/api/products/${productId}`);
    productName = String(field(product.body, 'name'));
  });

  after(async () => {
    await browser?.close();
  });

  /** A registered buyer with the product in their cart (put there through the API). */
  async function buyerWithCart(quantity: number): Promise<Buyer> {
    const account = await world.register('consumer');
    const buyer = { ...account, token: world.signer.sign({ sub: account.id, role: 'consumer' }) };
    const put = await world.gateway.call(`/api/cart/items/${productId}`, {
      method: 'PUT',
      token: buyer.token,
      json: { quantity },
    });
    assert.equal(put.status, 200, put.text);
    return buyer;
  }

  async function signedIn(
    buyer: Buyer,
    javaScriptEnabled: boolean,
  ): Promise<{ context: BrowserContext; page: Page }> {
    const { context, page } = await openPage(browser, { javaScriptEnabled });
    await page.goto(`${site}/login?returnTo=%2Fcart`);
    await fillSignIn(page, buyer);
    await page.waitForURL(`${site}/cart`);
    return { context, page };
  }

  function assertNoToken(page: Page, context: BrowserContext): Promise<void> {
    return assertNoTokenLeak(page, context, world);
  }

  async function ordersOf(buyer: Buyer): Promise<OrderView[]> {
    return orders.ordersOf({ ...buyer, role: 'consumer' });
  }

  async function advance(orderId: string, status: 'IN_DELIVERY' | 'DELIVERED'): Promise<void> {
    const moved = await world.gateway.call(`/api/orders/${orderId}/status`, {
      method: 'POST',
      token: seller.token,
      json: { status },
    });
    assert.equal(moved.status, 200, moved.text);
  }

  /** Event streams ms-orders serves now (its own gauge): the relay's upstream connections. */
  async function openStreams(): Promise<number> {
    const response = await fetch(`${world.stack.info.urls.services['ms-orders'] ?? ''}/metrics`);
    const match = /^orders_live_streams_open(?:\{[^}]*\})? (\S+)$/m.exec(await response.text());
    return Number(match?.[1] ?? NaN);
  }

  it('buys with JavaScript: cart, a double-submitted checkout orders once, live status, review, analytics', async () => {
    const buyer = await buyerWithCart(2);
    const { context, page } = await signedIn(buyer, true);
    try {
      // The cart: the line, a quantity change through its form, the total per currency.
      const line = page.getByTestId('cart-line').filter({ hasText: productName });
      await line.waitFor();
      await line.getByLabel('Quantity').fill('3');
      await line.getByRole('button', { name: 'Update' }).click();
      await page.getByTestId('totals').getByText('€37.50').waitFor();
      await assertNoToken(page, context);

      // Checkout: the split by seller, then the same form submitted twice at once.
      await page.getByTestId('to-checkout').click();
      await page.waitForURL(`${site}/checkout`);
      await page.getByTestId('checkout-group').getByRole('heading', { name: seller.companyName }).waitFor();
      await assertNoToken(page, context);
      let placeRequests = 0;
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith('/checkout?/place')) placeRequests += 1;
      });
      await page.evaluate(
        "(() => { const form = document.getElementById('checkout-form'); form.requestSubmit(); form.requestSubmit(); })()",
      );
      await page.getByTestId('placed-order').first().waitFor();
      await waitFor(() => placeRequests === 2 || undefined, { what: 'both submits sent' });
      const placed = await ordersOf(buyer);
      assert.equal(placed.length, 1, 'one order for one seller, however often the form was sent');
      const [order] = placed;
      assert.ok(order);
      assert.equal(order.status, 'RECEIVED');
      assert.equal(order.items[0]?.quantity, 3);

      // The order page follows the status live: the seller's moves show without a reload.
      await page.getByRole('link', { name: 'See this order' }).click();
      await page.waitForURL(`${site}/orders/${order.id}`);
      await page.getByTestId('live-state').getByText('Live:').waitFor();
      await page.evaluate('window.__samePage = true');
      await advance(order.id, 'IN_DELIVERY');
      await page.locator('[data-testid="order-status"] [data-status="IN_DELIVERY"]').waitFor();
      await advance(order.id, 'DELIVERED');
      await page.locator('[data-testid="order-status"] [data-status="DELIVERED"]').waitFor();
      assert.equal(await page.evaluate('window.__samePage === true'), true, 'updated in place, not reloaded');
      await page.getByTestId('status-history').getByText('In delivery').waitFor();
      await assertNoToken(page, context);

      // A review of the delivered product.
      const review = page.getByTestId('review-form');
      await review.getByLabel('5 stars').check();
      await review.getByLabel('Your review (optional)').fill('Sturdy and on time.');
      await review.getByRole('button', { name: 'Send review' }).click();
      await page.getByTestId('review-sent').waitFor();
      const mine = await world.gateway.call(`/api/reviews/mine?productId=${productId}`, {
        token: buyer.token,
      });
      assert.equal(mine.status, 200, mine.text);
      assert.match(mine.text, /Sturdy and on time\./);
      // A second review of the same product is refused (409), and the page says so.
      const twice = await context.request.post(`${site}/orders/${order.id}?/review`, {
        form: { productId, rating: '4', text: 'Again' },
        headers: { origin: site, accept: 'text/html' },
      });
      assert.equal(twice.status(), 409);
      assert.match(await twice.text(), /already reviewed this product/);

      // The orders list and its status filter in the URL.
      await page.goto(`${site}/orders?status=DELIVERED`);
      await page.locator(`[data-testid="order-row"][data-order-id="${order.id}"]`).waitFor();
      await page.goto(`${site}/orders?status=CANCELLED`);
      await page.getByTestId('orders-empty').waitFor();

      // Analytics: the purchase in the figures, the line chart and the bar chart's data table.
      await page.goto(`${site}/analytics`);
      await page.getByTestId('total-spent').getByText('€37.50').waitFor();
      assert.equal(await page.locator('[data-testid="line-chart"] svg circle').count(), 1);
      const bars = page.getByTestId('bar-chart');
      assert.equal(await bars.locator('svg rect').count(), 1);
      const table = (await bars.locator('table').textContent()) ?? '';
      assert.ok(table.includes(seller.companyName) && table.includes('€37.50'), table);
      await assertNoToken(page, context);
    } finally {
      await context.close();
    }
  });

  it('relays the event stream on the server: Last-Event-ID goes through, a client that leaves frees it', async () => {
    const buyer = await buyerWithCart(1);
    const placed = await orders.checkout({ ...buyer, role: 'consumer' });
    const orderId = String(field((field(placed.body, 'orders') as unknown[])[0], 'id')); // CheckoutView
    const { context } = await signedIn(buyer, false);
    // Straight to the frontend: the relay's own behaviour, without the gateway in between.
    const frontend = world.stack.info.urls.services['frontend'] ?? '';
    const cookie = (await context.cookies(site)).map((entry) => `${entry.name}=${entry.value}`).join('; ');
    await context.close();
    const open = (lastEventId?: string) => {
      const abort = new AbortController();
      const headers: Record<string, string> = { cookie, accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const response = fetch(`${frontend}/orders/${orderId}/events`, { headers, signal: abort.signal });
      return { response, abort };
    };
    const readUntil = async (response: Response, pattern: RegExp): Promise<string> => {
      assert.ok(response.body);
      const reader = response.body.getReader();
      let text = '';
      while (!pattern.test(text)) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      reader.releaseLock();
      return text;
    };

    const before = await openStreams();
    const first = open();
    const firstResponse = await first.response;
    assert.equal(firstResponse.status, 200);
    assert.match(firstResponse.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.match(await readUntil(firstResponse, /"status":"RECEIVED"/), /id: 1\n/);
    assert.equal(await openStreams(), before + 1);
    first.abort.abort();
    await waitFor(async () => (await openStreams()) === before, {
      timeoutMs: 5_000,
      what: 'the upstream freed',
    });

    const resumed = open('1');
    const resumedResponse = await resumed.response;
    await advance(orderId, 'IN_DELIVERY');
    const text = await readUntil(resumedResponse, /"status":"IN_DELIVERY"/);
    assert.doesNotMatch(text, /id: 1\n/, 'resumed after Last-Event-ID 1');
    assert.match(text, /id: 2\n/);
    resumed.abort.abort();

    await advance(orderId, 'DELIVERED');
    const done = open('3');
    assert.equal((await done.response).status, 204, 'final and seen: EventSource stops');
    const anonymous = await fetch(`${frontend}/orders/${orderId}/events`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303, 'the relay is guarded like every consumer page');
  });

  it('checks out without JavaScript; a resubmit of the same form orders nothing more; cancels', async () => {
    const buyer = await buyerWithCart(1);
    const { context, page } = await signedIn(buyer, false);
    try {
      await page.getByTestId('cart-line').filter({ hasText: productName }).waitFor();
      await page.getByTestId('to-checkout').click();
      await page.waitForURL(`${site}/checkout`);
      const key = await page.locator('input[name="idempotencyKey"]').inputValue();
      await page.getByRole('button', { name: 'Place order' }).click();
      await page.getByTestId('placed-order').waitFor();
      await assertNoToken(page, context);

      // The same form again (a reload that resubmits, a second click): same key, same orders.
      const again = await context.request.post(`${site}/checkout?/place`, {
        form: { idempotencyKey: key },
        headers: { origin: site, accept: 'text/html' },
      });
      assert.equal(again.status(), 200);
      const placed = await ordersOf(buyer);
      assert.equal(placed.length, 1, 'the resubmitted checkout made no second order');
      const [order] = placed;
      assert.ok(order);
      assert.ok((await again.text()).includes(order.id), 'the resubmit shows the same order');

      // Without JavaScript the page shows the status and a refresh link; cancel works as a form.
      await page.goto(`${site}/orders/${order.id}`);
      await page.getByTestId('live-state').getByRole('link', { name: 'Refresh' }).waitFor();
      await page.getByRole('button', { name: 'Cancel this order' }).click();
      await page.locator('[data-testid="order-status"] [data-status="CANCELLED"]').waitFor();
      const after = await ordersOf(buyer);
      assert.equal(after[0]?.status, 'CANCELLED');
      await assertNoToken(page, context);
    } finally {
      await context.close();
    }
  });

  it('edits the profile and deactivates the account after a confirm step, which ends the session', async () => {
    const buyer = await buyerWithCart(1);
    const { context, page } = await signedIn(buyer, false);
    try {
      await page.goto(`${site}/account`);
      await page.getByLabel('Display name (optional)').fill('Purchasing desk');
      await page.getByLabel('Website (optional)').fill('not a url');
      await page.getByRole('button', { name: 'Save details' }).click();
      await page.locator('#error-website').waitFor();
      assert.equal(await page.getByLabel('Display name (optional)').inputValue(), 'Purchasing desk');
      await page.getByLabel('Website (optional)').fill('https://buyer.example');
      await page.getByRole('button', { name: 'Save details' }).click();
      await page.getByTestId('profile-saved').waitFor();
      const me = await world.gateway.call('/api/users/me', { token: buyer.token });
      assert.equal(field(me.body, 'displayName'), 'Purchasing desk');
      assert.equal(field(me.body, 'website'), 'https://buyer.example');
      // A new company name shows in the header at once (the session keeps it).
      await page.getByLabel('Company', { exact: true }).fill('Renamed Buyer Ltd');
      await page.getByRole('button', { name: 'Save details' }).click();
      await page.getByTestId('profile-saved').waitFor();
      await page.getByTestId('signed-in-as').getByText('Renamed Buyer Ltd').waitFor();
      await page.goto(`${site}/products`);
      await page.getByTestId('signed-in-as').getByText('Renamed Buyer Ltd').waitFor();

      await page.goto(`${site}/account`);
      await page.getByRole('link', { name: 'Deactivate my account…' }).click();
      await page.getByRole('button', { name: 'Yes, deactivate my account' }).click();
      await page.waitForURL(`${site}/`);
      await page.getByTestId('flash').waitFor();
      assert.equal(
        (await context.cookies(site)).some((entry) => entry.name === 'ms_session'),
        false,
      );
      const login = await world.gateway.login(buyer.username, buyer.password);
      assert.notEqual(login.status, 200, 'a deactivated account cannot sign in');
    } finally {
      await context.close();
    }
  });
});
