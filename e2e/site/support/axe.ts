/**
 * axe-core's WCAG 2.1 A and AA rules on the page the browser is on: the serious and critical
 * violations, one line each with where they are (what a failing run needs to show).
 */
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export async function seriousViolations(page: Page, name: string): Promise<string[]> {
  const { violations, passes } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  assert.ok(passes.length > 10, `axe checked ${name}`);
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => {
      const where = violation.nodes
        .slice(0, 3)
        .map((node) => node.target.join(' '))
        .join(', ');
      return `${name}: ${violation.id} (${violation.impact ?? 'unknown'}) ${violation.help} at ${where}`;
    });
}
