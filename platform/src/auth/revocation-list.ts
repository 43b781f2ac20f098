import { Type, type TProperties } from '@sinclair/typebox';
import { InvalidTokenError, type TokenVerifier } from './jwks-verifier.js';
import type { Principal } from './principal.js';

/**
 * The one setting of a process that applies revocations. It bounds how long an entry is kept:
 * a token issued before a revocation cannot outlive it by more than its own lifetime.
 */
export const tokenRevocationConfigProperties = {
  ACCESS_TOKEN_MAX_LIFETIME_SECONDS: Type.Integer({
    minimum: 30,
    maximum: 3600,
    // The largest ACCESS_TOKEN_TTL_SECONDS ms-auth accepts, so no setting there outlives the list.
    default: 3600,
    description: "The longest an access token lives (ms-auth's ACCESS_TOKEN_TTL_SECONDS or more).",
  }),
} satisfies TProperties;

export interface RevocationListOptions {
  maxTokenLifetimeSeconds: number;
  /** Verifiers accept a token this long past its `exp`; entries outlive it by as much. */
  clockToleranceSeconds?: number;
  now?: () => number;
}

const MAX_ISSUANCE_WAIT_MS = 2_000;

/** A revoked token, sign-in or subject, as the three revocation events describe them. */
export type Revocation =
  | { kind: 'token'; jti: string; expiresAt: Date }
  | { kind: 'session'; sessionId: string; revokedAt: Date }
  | { kind: 'subject'; subject: string; revokedBefore: Date };

/**
 * What this process knows has been revoked, in memory: token ids, sign-ins, and for each
 * subject the instant before which its tokens no longer count. Entries go once every token they
 * could refuse has expired anyway, so the list stays as small as the revocations of one token
 * lifetime. It starts empty on purpose (see RevocationFeed for the window that leaves).
 */
export class RevocationList {
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  /** subject → the latest revokedBefore and when the entry can go, both epoch ms. */
  private readonly subjects = new Map<string, { revokedBefore: number; forgetAt: number }>();
  /** How long after a revocation a token it covers may still be presented (lifetime + leeway). */
  private readonly lifetimeMs: number;
  private readonly toleranceMs: number;
  private readonly now: () => number;
  private nextSweepAt = 0;

  constructor(options: RevocationListOptions) {
    this.toleranceMs = (options.clockToleranceSeconds ?? 5) * 1000;
    this.lifetimeMs = options.maxTokenLifetimeSeconds * 1000 + this.toleranceMs;
    this.now = options.now ?? Date.now;
  }

  apply(revocation: Revocation): void {
    const now = this.now();
    this.sweep(now);
    switch (revocation.kind) {
      case 'token': {
        // Capped by the lifetime: an `exp` far ahead cannot pin an entry longer than any token lives.
        const forgetAt = Math.min(revocation.expiresAt.getTime() + this.toleranceMs, now + this.lifetimeMs);
        keepLater(this.tokens, revocation.jti, forgetAt);
        return;
      }
      case 'session':
        keepLater(this.sessions, revocation.sessionId, revocation.revokedAt.getTime() + this.lifetimeMs);
        return;
      case 'subject': {
        const revokedBefore = revocation.revokedBefore.getTime();
        const known = this.subjects.get(revocation.subject);
        // Revocations may arrive out of order; the latest instant covers every earlier one.
        if (known && known.revokedBefore >= revokedBefore) return;
        this.subjects.set(revocation.subject, { revokedBefore, forgetAt: revokedBefore + this.lifetimeMs });
        return;
      }
    }
  }

  /** Why the principal's token no longer counts, or undefined when it still does. */
  refusal(principal: Pick<Principal, 'subject' | 'tokenId' | 'issuedAt' | 'sessionId'>): string | undefined {
    const now = this.now();
    this.sweep(now);
    if (principal.tokenId !== undefined && live(this.tokens.get(principal.tokenId), now)) {
      return 'token revoked';
    }
    if (principal.sessionId !== undefined && live(this.sessions.get(principal.sessionId), now)) {
      return 'session revoked';
    }
    const subject = this.subjects.get(principal.subject);
    if (subject && subject.forgetAt > now) {
      // `iat` has whole seconds: a token from the second of the revocation is refused too, as
      // one issued just before it cannot be told apart. A token without `iat` cannot be placed.
      const issuedAtMs = principal.issuedAt === undefined ? -Infinity : principal.issuedAt * 1000;
      if (issuedAtMs <= subject.revokedBefore) return 'subject revoked';
    }
    return undefined;
  }

  /**
   * How long an issuer should wait before signing a token for `subject` so that its `iat` falls
   * after the second of the subject's latest revocation (0 when it already does): a sign-in just
   * after a password reset then gets a token the reset does not refuse. Bounded, so a producer's
   * clock running ahead cannot hold a sign-in up for long.
   */
  msUntilIssuable(subject: string): number {
    const entry = this.subjects.get(subject);
    if (!entry) return 0;
    const afterRevokedSecond = (Math.floor(entry.revokedBefore / 1000) + 1) * 1000;
    return Math.min(MAX_ISSUANCE_WAIT_MS, Math.max(0, afterRevokedSecond - this.now()));
  }

  /** Entries held (tests read it). */
  get size(): number {
    return this.tokens.size + this.sessions.size + this.subjects.size;
  }

  /** At most once a second: checks stay O(1) however many requests arrive. */
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + 1000;
    for (const [key, forgetAt] of this.tokens) if (forgetAt <= now) this.tokens.delete(key);
    for (const [key, forgetAt] of this.sessions) if (forgetAt <= now) this.sessions.delete(key);
    for (const [key, entry] of this.subjects) if (entry.forgetAt <= now) this.subjects.delete(key);
  }
}

function keepLater(entries: Map<string, number>, key: string, forgetAt: number): void {
  const known = entries.get(key);
  if (known === undefined || known < forgetAt) entries.set(key, forgetAt);
}

const live = (forgetAt: number | undefined, now: number): boolean => forgetAt !== undefined && forgetAt > now;

/**
 * A verifier that also refuses revoked tokens, with the same InvalidTokenError (so the same
 * 401 invalid_token) as an expired one: to its holder a revoked token is simply no longer good.
 */
export class RevocationCheckingVerifier implements TokenVerifier {
  constructor(
    private readonly inner: TokenVerifier,
    private readonly revocations: RevocationList,
  ) {}

  async verify(token: string): Promise<Principal> {
    const principal = await this.inner.verify(token);
    const refusal = this.revocations.refusal(principal);
    if (refusal !== undefined) throw new InvalidTokenError(refusal);
    return principal;
  }
}
