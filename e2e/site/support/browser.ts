/**
 * What the site's browser tests share: Debian's Chromium with the flags that work here, a
 * context with bounded timeouts, signing in through the login form, opening (and re-sealing)
 * the session cookie with the stack's secret as only the server can, and the token-leak check.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { createSealer } from '../../../frontend/src/lib/server/session/seal.js';
import type { Sealer } from '../../../frontend/src/lib/server/session/seal.js';
import { asSession } from '../../../frontend/src/lib/server/session/session.js';
import type { Session } from '../../../frontend/src/lib/server/session/session.js';
import { PASSWORD } from '../../support/world.js';
import type { World } from '../../support/world.js';

/** See TOOLCHAIN.md "Browser tests": these work as root on the build machines. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The cookie's name on the e2e stack: plain http on loopback, so not `__Host-`. */
export const SESSION_COOKIE = 'ms_session';

export interface Person {
  username: string;
  password: string;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** A fresh context (its own cookies) with timeouts short enough to fail fast. */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return { context, page: await context.newPage() };
}

/** Fills and sends the login form of the page the browser is on. */
export async function fillSignIn(page: Page, person: Person): Promise<void> {
  // After hydration: what is typed into the form before it can be reset by it (see README).
  await page.waitForLoadState('networkidle');
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in through the form and waits for the header to name the viewer. */
export async function signInThroughForm(page: Page, site: string, person: Person): Promise<void> {
  // After hydration: typing into the form before it would be undone by it.
  await page.goto(`${site}/login`, { waitUntil: 'networkidle' });
  await fillSignIn(page, person);
  await page
    .getByTestId('signed-in-as')
    .waitFor()
    .catch(async (error: unknown) => {
      // Say why: the login form's own message is the useful part of a failure here.
      const said = await page
        .getByTestId('form-error')
        .textContent({ timeout: 1000 })
        .catch(() => '');
      throw new Error(`sign-in failed at ${page.url()}: ${said ?? ''} (${String(error)})`);
    });
}

/** A fresh context, signed in as the person. */
export async function signedIn(
  browser: Browser,
  site: string,
  person: Person,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await openPage(browser, options);
  await signInThroughForm(opened.page, site, person);
  return opened;
}

function sessionSealer(world: World): Sealer {
  return createSealer(world.stack.info.secrets['SESSION_SECRET'] ?? '', 'session');
}

/** The session the browser holds, opened with the stack's secret, as only the server can. */
export async function sessionOf(context: BrowserContext, world: World): Promise<Session> {
  const site = world.stack.info.urls.gateway;
  const cookie = (await context.cookies(site)).find((candidate) => candidate.name === SESSION_COOKIE);
  assert.ok(cookie, 'a session cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  const session = asSession(sessionSealer(world).unseal(cookie.value));
  assert.ok(session, 'the cookie opens to a session');
  return session;
}

/**
 * Replaces the browser's session cookie with the same session changed by `change`, sealed
 * with the stack's secret: how a test makes time pass for a session without waiting for it.
 */
export async function resealSession(
  context: BrowserContext,
  world: World,
  change: (session: Session) => Session,
): Promise<Session> {
  const site = world.stack.info.urls.gateway;
  const changed = change(await sessionOf(context, world));
  await context.addCookies([
    {
      name: SESSION_COOKIE,
      value: sessionSealer(world).seal(changed),
      url: site,
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
  return changed;
}

/** Neither token in what page JavaScript can read (cookies, storage) nor in the HTML. */
export async function assertNoTokenInPage(page: Page, session: Session): Promise<void> {
  // A string, because these files are compiled without the DOM library: it runs in the page.
  const seen = String(
    await page.evaluate(
      'JSON.stringify({ cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage }, url: location.href })',
    ),
  );
  const html = await page.content();
  for (const token of [session.accessToken, session.refreshToken]) {
    assert.ok(!seen.includes(token), `a token in page JavaScript's view on ${page.url()}: ${seen}`);
    assert.ok(!html.includes(token), `a token in the HTML of ${page.url()}`);
  }
  assert.equal(seen.includes(SESSION_COOKIE), false, 'the session cookie is readable by page JavaScript');
}

/**
 * The check after every navigation of a signed-in journey: the session as it is now (tokens
 * are refreshed along the way), and none of its tokens in the page.
 */
export async function assertNoTokenLeak(page: Page, context: BrowserContext, world: World): Promise<void> {
  await assertNoTokenInPage(page, await sessionOf(context, world));
}

const MS_USERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../ms-users');

/** An admin, made with ms-users' create-admin CLI against the stack's database, as an operator would. */
export async function createAdmin(world: World): Promise<Person> {
  const tag = randomUUID().slice(0, 8);
  const admin = { username: `admin_${tag}`, password: PASSWORD };
  await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/create-admin.ts',
      '--username',
      admin.username,
      '--email',
      `${tag}@admin.test`,
      '--company',
      'Marketshare',
    ],
    {
      cwd: MS_USERS,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        MYSQL_URL: world.stack.info.serviceEnv['ms-users']?.['MYSQL_URL'] ?? '',
        ADMIN_PASSWORD: admin.password,
      },
    },
  );
  return admin;
}
