/**
 * The session, stateless: everything it needs (tokens, who, and its times) is sealed into one
 * httpOnly cookie. Why not a server-side store: it survives a frontend restart and works across
 * any number of instances with nothing to run, replicate or clean up; the cookie is encrypted
 * (the browser cannot read the tokens) and authenticated (it cannot forge or stretch a session).
 * The cost: a session cannot be revoked here before it ends, so logout revokes the refresh token
 * in ms-auth and access tokens are short-lived (minutes).
 */
import { randomUUID } from 'node:crypto';
import type { Sealer } from './seal.js';

export type Role = 'consumer' | 'seller' | 'admin';

export interface SessionUser {
  id: string;
  role: Role;
  /** What the header shows: the company or user name. */
  name: string;
}

export interface Session {
  v: 1;
  /** Random; keys the single-flight refresh. Not a secret and not a lookup key. */
  id: string;
  user: SessionUser;
  accessToken: string;
  /** Epoch ms. */
  accessExpiresAt: number;
  refreshToken: string;
  /** Epoch ms of the last token grant (sign-in or refresh): the account was active then. */
  grantedAt: number;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
  /**
   * A refresh is how a session learns its account was deactivated (ms-auth refuses it), and
   * access tokens stay valid for minutes: so the tokens are refreshed at least this often.
   */
  accountCheckMs: number;
}

export type SessionState =
  { kind: 'none' } | { kind: 'active'; session: Session } | { kind: 'ended'; reason: 'idle' | 'expired' };

const ROLES: readonly string[] = ['consumer', 'seller', 'admin'];

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLES.includes(value);
}

const text = (value: unknown): value is string => typeof value === 'string' && value !== '';
const time = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The shape check that makes an unsealed value a Session (sealed by an older build, say). */
export function asSession(value: unknown): Session | null {
  if (typeof value !== 'object' || value === null) return null;
  const v: Record<string, unknown> = { ...value };
  const user: unknown = v['user'];
  if (typeof user !== 'object' || user === null) return null;
  const u: Record<string, unknown> = { ...user };
  if (v['v'] !== 1 || !text(v['id']) || !text(v['accessToken']) || !text(v['refreshToken'])) return null;
  if (!time(v['accessExpiresAt']) || !time(v['createdAt']) || !time(v['lastSeenAt'])) return null;
  if (!text(u['id']) || !isRole(u['role']) || typeof u['name'] !== 'string') return null;
  return {
    v: 1,
    id: v['id'],
    user: { id: u['id'], role: u['role'], name: u['name'] },
    accessToken: v['accessToken'],
    accessExpiresAt: v['accessExpiresAt'],
    refreshToken: v['refreshToken'],
    // Sealed before this field existed: checked on its first request.
    grantedAt: time(v['grantedAt']) ? v['grantedAt'] : 0,
    createdAt: v['createdAt'],
    lastSeenAt: v['lastSeenAt'],
  };
}

/** The session a cookie holds at `now`: none, active, or ended by the idle or absolute limit. */
export function openSession(
  sealer: Sealer,
  cookie: string | undefined,
  policy: SessionPolicy,
  now: number,
): SessionState {
  if (cookie === undefined || cookie === '') return { kind: 'none' };
  const session = asSession(sealer.unseal(cookie));
  if (session === null) return { kind: 'none' };
  if (now - session.createdAt >= policy.maxMs) return { kind: 'ended', reason: 'expired' };
  if (now - session.lastSeenAt >= policy.idleMs) return { kind: 'ended', reason: 'idle' };
  return { kind: 'active', session };
}

export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  /** Seconds, as the token endpoint says. */
  expiresIn: number;
}

export function newSession(user: SessionUser, tokens: TokenGrant, now: number): Session {
  return {
    v: 1,
    id: randomUUID(),
    user,
    accessToken: tokens.accessToken,
    accessExpiresAt: now + tokens.expiresIn * 1000,
    refreshToken: tokens.refreshToken,
    grantedAt: now,
    createdAt: now,
    lastSeenAt: now,
  };
}

export function withTokens(session: Session, tokens: TokenGrant, role: Role, now: number): Session {
  return {
    ...session,
    user: { ...session.user, role },
    accessToken: tokens.accessToken,
    accessExpiresAt: now + tokens.expiresIn * 1000,
    refreshToken: tokens.refreshToken,
    grantedAt: now,
  };
}

/** Refreshed a little before expiry, so a call made with it does not meet an expired token. */
export const REFRESH_BEFORE_MS = 30_000;

export function needsRefresh(session: Session, now: number, accountCheckMs: number): boolean {
  return session.accessExpiresAt - now <= REFRESH_BEFORE_MS || now - session.grantedAt >= accountCheckMs;
}

/** Seconds the cookie may live: until the absolute end of the session. */
export function cookieMaxAgeSeconds(session: Session, policy: SessionPolicy, now: number): number {
  return Math.max(1, Math.floor((session.createdAt + policy.maxMs - now) / 1000));
}
