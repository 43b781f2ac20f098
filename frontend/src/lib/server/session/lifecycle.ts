/** A request's session: opened from the cookie, refreshed before expiry, touched, ended. */
import { createHash } from 'node:crypto';
import type { Cookies } from '@sveltejs/kit';
import type { Runtime } from '../runtime.js';
import type { CallContext } from '../upstream.js';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './cookie.js';
import { needsRefresh, newSession, openSession, withTokens } from './session.js';
import type { Session, SessionUser, TokenGrant } from './session.js';

export type SessionOutcome =
  | { session: Session; ended: null }
  | { session: null; ended: null }
  /** The cookie held a session that is over: idle, past its lifetime, or refused by ms-auth. */
  | { session: null; ended: 'idle' | 'expired' | 'revoked' };

/** The refresh key: one session presenting one refresh token, without keeping the token itself. */
function flightKey(session: Session): string {
  return `${session.id}:${createHash('sha256').update(session.refreshToken).digest('base64url')}`;
}

export async function resolveSession(
  rt: Runtime,
  cookies: Cookies,
  context: CallContext,
  now: number,
): Promise<SessionOutcome> {
  const state = openSession(rt.sealer, readSessionCookie(cookies, rt.secureCookies), rt.policy, now);
  if (state.kind === 'none') return { session: null, ended: null };
  if (state.kind === 'ended') {
    await endSession(rt, cookies, null, context);
    return { session: null, ended: state.reason };
  }
  let session = state.session;
  let changed = false;
  if (needsRefresh(session, now, rt.policy.accountCheckMs)) {
    const current = session;
    const result = await rt.refreshes.run(flightKey(current), () =>
      rt.auth.refreshGrant(current.refreshToken, context),
    );
    if (result.ok) {
      session = withTokens(session, result.tokens, result.role, now);
      changed = true;
    } else if (result.error === 'invalid_grant') {
      // Revoked, reused after the grace, expired, or the account was deactivated.
      clearSessionCookie(cookies, rt.secureCookies);
      return { session: null, ended: 'revoked' };
    }
    // ms-auth unreachable or throttling: keep the session; calls with an expired token get 401.
  }
  // Re-sealing on every request would set a cookie on every response: touch at a fraction of idle.
  if (changed || now - session.lastSeenAt >= Math.min(60_000, rt.policy.idleMs / 10)) {
    session = { ...session, lastSeenAt: now };
    changed = true;
  }
  if (changed) writeSessionCookie(cookies, session, { ...rt, secure: rt.secureCookies, now });
  return { session, ended: null };
}

export function startSession(
  rt: Runtime,
  cookies: Cookies,
  user: SessionUser,
  tokens: TokenGrant,
  now: number,
): Session {
  const session = newSession(user, tokens, now);
  writeSessionCookie(cookies, session, { ...rt, secure: rt.secureCookies, now });
  return session;
}

/**
 * The header shows the name kept in the session (the company's): after the user renames it, the
 * cookie is written again so the very next page shows the new name. Tokens and times are kept.
 */
export function renameSessionUser(
  rt: Runtime,
  cookies: Cookies,
  session: Session,
  name: string,
  now: number,
): Session {
  const renamed: Session = { ...session, user: { ...session.user, name } };
  writeSessionCookie(cookies, renamed, { ...rt, secure: rt.secureCookies, now });
  return renamed;
}

/** Revokes the refresh token (RFC 7009: its whole family) and clears the cookie. */
export async function endSession(
  rt: Runtime,
  cookies: Cookies,
  session: Session | null,
  context: CallContext,
): Promise<void> {
  const refreshToken = session?.refreshToken ?? openAnyway(rt, readSessionCookie(cookies, rt.secureCookies));
  clearSessionCookie(cookies, rt.secureCookies);
  if (refreshToken !== null) await rt.auth.revoke(refreshToken, context);
}

/** An idle or expired session's refresh token is still revoked, so it cannot outlive the cookie. */
function openAnyway(rt: Runtime, cookie: string | undefined): string | null {
  const state = openSession(
    rt.sealer,
    cookie,
    { idleMs: Infinity, maxMs: Infinity, accountCheckMs: Infinity },
    0,
  );
  return state.kind === 'active' ? state.session.refreshToken : null;
}
