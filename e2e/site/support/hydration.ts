/**
 * Holding a page's JavaScript back, so a test can use the server-rendered HTML before the page
 * hydrates, as a person on a slow connection does: the JavaScript requests wait until `release`.
 */
import { waitFor } from '@marketshare/platform/testing';
import type { Page } from 'playwright-core';

export interface HeldScripts {
  /** JavaScript requests held so far (the page asked for its bundle, and is still waiting). */
  held(): number;
  /** Lets every held request (and every later one) through. */
  release(): void;
}

/** SvelteKit's bundle lives under /_app/immutable/; only its scripts are held, not its CSS. */
export async function holdScripts(page: Page): Promise<HeldScripts> {
  let held = 0;
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/_app/immutable/**', async (route) => {
    if (!route.request().url().endsWith('.js')) return route.continue();
    held += 1;
    await released;
    await route.continue();
  });
  return { held: () => held, release };
}

/**
 * Resolves once SvelteKit has started in the page (its router writes its index into the history
 * entry as it starts) and the page's requests have settled, so hydration has run. A string,
 * because these files are compiled without the DOM library: it runs in the page.
 */
export async function waitForHydration(page: Page, timeout = 10_000): Promise<void> {
  // Polled with evaluate: waitForFunction compiles its string with eval, which the CSP forbids.
  await waitFor(
    async () =>
      (await page.evaluate("history.state?.['sveltekit:history'] !== undefined")) === true || undefined,
    { timeoutMs: timeout, what: 'SvelteKit to start in the page' },
  );
  await page.waitForLoadState('networkidle', { timeout });
}
