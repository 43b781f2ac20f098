import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { RefreshTokenRecord, RefreshTokensRepository } from '../../store/refresh-tokens-repository.js';
import type { AuthMetrics } from '../auth-metrics.js';
import { invalidGrant } from '../oauth-error.js';

export interface RefreshTokenPolicy {
  /** Sliding: a token unused this long expires. */
  idleTtlSeconds: number;
  /** A family (one sign-in) ends this long after it began, however often it was rotated. */
  absoluteTtlSeconds: number;
}

/** 256 random bits, base64url: opaque, unguessable, and never stored in the clear. */
const TOKEN_BYTES = 32;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

const secondsAfter = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
const earliest = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);

/**
 * Rotating refresh tokens (RFC 9700 §4.14.2). Each token works once. A token presented
 * again revokes its whole family, successors included: either the client or a thief holds
 * a copy, and we cannot tell which.
 */
export class RefreshTokenFamilies {
  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly metrics: AuthMetrics,
    private readonly policy: RefreshTokenPolicy,
  ) {}

  /** Starts a family for a fresh sign-in and returns its first token. */
  async start(owner: { clientId: string; subject: string; scope: readonly string[] }): Promise<string> {
    const now = new Date();
    const familyId = randomUUID();
    const familyExpiresAt = secondsAfter(now, this.policy.absoluteTtlSeconds);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    await this.tokens.createFamily(
      { id: familyId, ...owner, createdAt: now, expiresAt: familyExpiresAt },
      {
        tokenHash: hashToken(token),
        familyId,
        issuedAt: now,
        expiresAt: earliest(secondsAfter(now, this.policy.idleTtlSeconds), familyExpiresAt),
      },
    );
    return token;
  }

  /**
   * The record of a token `clientId` may refresh with now, or invalid_grant. Presenting a
   * used token is reuse: the family is revoked before refusing.
   */
  async redeemable(token: string, clientId: string): Promise<RefreshTokenRecord> {
    const record = await this.tokens.findByHash(hashToken(token));
    if (!record || record.clientId !== clientId || record.familyRevokedAt !== null) throw invalidGrant();
    if (record.usedAt !== null) {
      await this.revokeForReuse(record.familyId);
      throw invalidGrant();
    }
    if (!isLive(record, new Date())) throw invalidGrant();
    return record;
  }

  /**
   * Spends `record`'s token and returns its successor. The conditional update lets exactly
   * one of several concurrent refreshes through; a loser is reuse like any other.
   */
  async rotate(record: RefreshTokenRecord): Promise<string> {
    const now = new Date();
    const next = randomBytes(TOKEN_BYTES).toString('base64url');
    const outcome = await this.tokens.transaction(async (tx) => {
      const family = await tx.lockFamily(record.familyId);
      if (!family || family.revokedAt !== null) return 'revoked';
      if (!(await tx.markUsed(record.tokenHash, now))) {
        await tx.revokeFamily(record.familyId, now, 'reuse');
        return 'reused';
      }
      await tx.insertToken({
        tokenHash: hashToken(next),
        familyId: record.familyId,
        issuedAt: now,
        expiresAt: earliest(secondsAfter(now, this.policy.idleTtlSeconds), record.familyExpiresAt),
      });
      return 'rotated';
    });
    if (outcome === 'reused') this.metrics.refreshReuseDetected();
    if (outcome !== 'rotated') throw invalidGrant();
    return next;
  }

  /** For introspection: the record when the token could be redeemed now by `clientId`. */
  async describeLive(token: string, clientId: string): Promise<RefreshTokenRecord | undefined> {
    const record = await this.tokens.findByHash(hashToken(token));
    if (
      !record ||
      record.clientId !== clientId ||
      record.familyRevokedAt !== null ||
      record.usedAt !== null
    ) {
      return undefined;
    }
    return isLive(record, new Date()) ? record : undefined;
  }

  /** Logout (RFC 7009): the whole family goes. Another client's token is left alone. */
  async revokeByToken(token: string, clientId: string): Promise<boolean> {
    const record = await this.tokens.findByHash(hashToken(token));
    if (!record || record.clientId !== clientId) return false;
    await this.tokens.revokeFamily(record.familyId, new Date(), 'revoked_by_client');
    return true;
  }

  async revokeFamily(familyId: string, reason: 'account_inactive'): Promise<void> {
    await this.tokens.revokeFamily(familyId, new Date(), reason);
  }

  private async revokeForReuse(familyId: string): Promise<void> {
    await this.tokens.revokeFamily(familyId, new Date(), 'reuse');
    this.metrics.refreshReuseDetected();
  }
}

function isLive(record: RefreshTokenRecord, now: Date): boolean {
  return record.expiresAt.getTime() > now.getTime() && record.familyExpiresAt.getTime() > now.getTime();
}
