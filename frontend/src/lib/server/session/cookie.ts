import type { Cookies } from '@sveltejs/kit';
import type { Sealer } from './seal.js';
import { cookieMaxAgeSeconds } from './session.js';
import type { Session, SessionPolicy } from './session.js';

/** `__Host-` (Secure, path /, no Domain) wherever cookies are Secure; plain on http loopback. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-ms_session' : 'ms_session';
}

export function readSessionCookie(cookies: Cookies, secure: boolean): string | undefined {
  return cookies.get(sessionCookieName(secure));
}

export function writeSessionCookie(
  cookies: Cookies,
  session: Session,
  options: { sealer: Sealer; policy: SessionPolicy; secure: boolean; now: number },
): void {
  cookies.set(sessionCookieName(options.secure), options.sealer.seal(session), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    maxAge: cookieMaxAgeSeconds(session, options.policy, options.now),
  });
}

export function clearSessionCookie(cookies: Cookies, secure: boolean): void {
  cookies.delete(sessionCookieName(secure), { path: '/', httpOnly: true, sameSite: 'lax', secure });
}
