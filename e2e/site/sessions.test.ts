/**
 * The site's sessions in a real browser, at the two moments that break naive ones: many page
 * loads at once right after the access token expired (the frontend single-flights the refresh,
 * ms-auth's reuse grace covers any that slip through — no load fails, the session lives on),
 * and a session left idle longer than SESSION_IDLE_MINUTES (it ends, and the visitor is told).
 */
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createSealer } from '../../frontend/src/lib/server/session/seal.js';
import { asSession } from '../../frontend/src/lib/server/session/session.js';
import { field } from '../support/gateway-client.js';
import { e2eWorld } from '../support/world.js';
import type { World } from '../support/world.js';
import { SESSION_COOKIE, launchChromium, resealSession, sessionOf, signedIn } from './support/browser.js';

const PARALLEL_LOADS = 10;

describe('sessions in a browser', function () {
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

  /** ms-auth's own count of refresh tokens replayed outside the grace (each revokes a family). */
  async function reuseDetected(): Promise<number> {
    const response = await fetch(`${world.stack.info.urls.services['ms-auth'] ?? ''}/metrics`);
    const match = /^auth_refresh_reuse_detected_total(?:\{[^}]*\})? (\S+)$/m.exec(await response.text());
    return Number(match?.[1] ?? NaN);
  }

  it('serves ten parallel loads right after the access token expired, and the session lives on', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await signedIn(browser, site, consumer);
    try {
      // Makes the access token's expiry pass without waiting for it: the server then sees an
      // expired session and refreshes it, as it would minutes later in real use.
      const expired = await resealSession(context, world, (session) => ({
        ...session,
        accessExpiresAt: Date.now() - 1_000,
      }));
      const reusedBefore = await reuseDetected();
      const sealer = createSealer(world.stack.info.secrets['SESSION_SECRET'] ?? '', 'session');
      const pages = await Promise.all(Array.from({ length: PARALLEL_LOADS }, () => context.newPage()));
      const issued = new Set<string>();
      const loads = await Promise.all(
        pages.map(async (tab) => {
          const response = await tab.goto(`${site}/account`);
          for (const header of (await response?.headersArray()) ?? []) {
            if (header.name.toLowerCase() !== 'set-cookie') continue;
            const value = /^ms_session=([^;]+)/.exec(header.value)?.[1];
            const session = value === undefined ? null : asSession(sealer.unseal(value));
            if (session !== null) issued.add(session.refreshToken);
          }
          return { status: response?.status(), url: tab.url() };
        }),
      );
      for (const load of loads) {
        assert.equal(load.status, 200, JSON.stringify(loads));
        assert.equal(load.url, `${site}/account`, 'still signed in, not sent to the login page');
      }
      for (const tab of pages) await tab.getByTestId('signed-in-as').waitFor();
      assert.equal(await reuseDetected(), reusedBefore, 'no refresh counted as a replay');
      assert.equal(issued.has(expired.refreshToken), false, 'every answer carries the rotated token');
      // One frontend instance: its single flight makes one refresh for all ten requests that carry
      // the expired token. On a busy machine the loads can straddle the e2e stack's 1 s account
      // check, whose own refresh (of the new token) is the only other one allowed; without the
      // single flight each of the ten would refresh.
      assert.ok(issued.size <= 2, `${issued.size} refreshes for ${PARALLEL_LOADS} loads`);

      // Alive afterwards: the cookie holds the new tokens, and they refresh again (the family
      // was not revoked). The e2e stack refreshes at least every second (account check).
      const after = await sessionOf(context, world);
      assert.ok(after.accessExpiresAt > Date.now());
      assert.notEqual(after.refreshToken, expired.refreshToken);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await page.goto(`${site}/account`);
      assert.equal(page.url(), `${site}/account`);
      await page.getByTestId('signed-in-as').waitFor();
      assert.notEqual((await sessionOf(context, world)).refreshToken, after.refreshToken, 'refreshed again');
      await Promise.all(pages.map((tab) => tab.close()));
    } finally {
      await context.close();
    }
  });

  it('ends a session idle longer than SESSION_IDLE_MINUTES: the login page says so', async () => {
    const consumer = await world.register('consumer');
    const { context, page } = await signedIn(browser, site, consumer);
    try {
      const idleMinutes = Number(world.stack.info.serviceEnv['frontend']?.['SESSION_IDLE_MINUTES'] ?? 30);
      // This simulates the passage of time: the cookie says the session was last seen longer
      // ago than the idle limit. Deciding that it is over is the server's own check.
      const idle = await resealSession(context, world, (session) => ({
        ...session,
        lastSeenAt: Date.now() - (idleMinutes + 1) * 60_000,
      }));
      await page.goto(`${site}/account`);
      assert.equal(page.url(), `${site}/login?returnTo=%2Faccount`);
      await page.getByText('Your session ended. Please sign in again.').waitFor();
      assert.equal(
        (await context.cookies(site)).some((cookie) => cookie.name === SESSION_COOKIE),
        false,
        'the session cookie is cleared',
      );
      // An ended session's refresh token is revoked too, so it cannot outlive the cookie.
      const introspected = await world.gateway.oauth('introspect', { token: idle.refreshToken });
      assert.equal(field(introspected.body, 'active'), false, introspected.text);
    } finally {
      await context.close();
    }
  });
});
