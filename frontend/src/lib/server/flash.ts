/**
 * One-shot messages across a redirect. The cookie carries only a key from this table, never
 * text, so nobody can make the site show words of their choosing.
 */
import type { Cookies } from '@sveltejs/kit';

export const FLASH_MESSAGES = {
  'signed-in': { tone: 'success', text: 'You are signed in.' },
  'signed-out': { tone: 'success', text: 'You are signed out.' },
  'session-ended': { tone: 'info', text: 'Your session ended. Please sign in again.' },
  'consumer-only': { tone: 'warning', text: 'That page is for buyer accounts.' },
  'seller-only': { tone: 'warning', text: 'That page is for seller accounts.' },
  'admin-only': { tone: 'warning', text: 'That page is for administrators.' },
} as const satisfies Record<string, { tone: 'success' | 'info' | 'warning'; text: string }>;

export type FlashKey = keyof typeof FLASH_MESSAGES;
export type Flash = (typeof FLASH_MESSAGES)[FlashKey];

const COOKIE = 'ms_flash';

function isFlashKey(value: string): value is FlashKey {
  return Object.hasOwn(FLASH_MESSAGES, value);
}

export function setFlash(cookies: Cookies, key: FlashKey, secure: boolean): void {
  cookies.set(COOKIE, key, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 60 });
}

/** The pending message, read once. */
export function takeFlash(cookies: Cookies, secure: boolean): Flash | null {
  const key = cookies.get(COOKIE);
  if (key === undefined) return null;
  cookies.delete(COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
  return isFlashKey(key) ? FLASH_MESSAGES[key] : null;
}
