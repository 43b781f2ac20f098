/**
 * Screenshots of the pages the browser tests walk, for people to look at (layout defects, the
 * README's pictures): into .local/screenshots/, which git ignores. Never compared by a test.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const SCREENSHOTS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../.local/screenshots',
);

let announced = false;

/** Saves the whole page as `<name>.png` and returns the file's path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  if (!announced) {
    announced = true;
    process.stdout.write(`      screenshots in ${SCREENSHOTS_DIR}\n`);
  }
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  // No animations to wait for; the caret would only make two runs' pictures differ.
  await page.screenshot({
    path: file,
    fullPage: true,
    caret: 'hide',
    animations: 'disabled',
    timeout: 10_000,
  });
  return file;
}
