import assert from 'node:assert/strict';
import { loginUrl, safeReturnTo } from '../src/lib/server/return-to.js';

describe('frontend return-to sanitizer', () => {
  it('keeps paths on this site, with their query and fragment', () => {
    assert.equal(safeReturnTo('/account'), '/account');
    assert.equal(
      safeReturnTo('/products?q=gloves&sort=price_asc#top'),
      '/products?q=gloves&sort=price_asc#top',
    );
    assert.equal(safeReturnTo('/a/../account'), '/account');
  });

  it('refuses everything that could leave the site', () => {
    for (const hostile of [
      'https://evil.test/',
      '//evil.test',
      '///evil.test',
      '/\\evil.test',
      '\\\\evil.test',
      '/\t/evil.test',
      '/\n/evil.test',
      'javascript:alert(1)',
      'evil.test',
      ' /account',
      '',
      null,
      undefined,
      `/${'a'.repeat(3000)}`,
    ]) {
      assert.equal(safeReturnTo(hostile), '/', JSON.stringify(hostile));
    }
  });

  it('never returns to the login or logout pages', () => {
    assert.equal(safeReturnTo('/login?returnTo=/account'), '/');
    assert.equal(safeReturnTo('/logout'), '/');
  });

  it('builds the login URL for a wanted page', () => {
    assert.equal(loginUrl('/account'), '/login?returnTo=%2Faccount');
    assert.equal(loginUrl('/'), '/login');
    assert.equal(loginUrl('//evil.test'), '/login');
  });
});
