import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EventTypes, newEnvelope, type EventEnvelope } from '@marketshare/platform/contracts';
import type {
  RefreshTokenRecord,
  RefreshTokenTransaction,
  RefreshTokensRepository,
} from '../../store/refresh-tokens-repository.js';
import type { AuthMetrics } from '../auth-metrics.js';
import { invalidGrant } from '../oauth-error.js';
import type { SuccessorSealer } from './successor-sealing.js';

export interface RefreshTokenPolicy {
  /** Sliding: a token unused this long expires. */
  idleTtlSeconds: number;
  /** A family (one sign-in) ends this long after it began, however often it was rotated. */
  absoluteTtlSeconds: number;
  /** A token replayed this soon after its own rotation gets the same successor back; 0 disables. */
  reuseGraceSeconds: number;
}

/** 256 random bits, base64url: opaque, unguessable, and never stored in the clear. */
const TOKEN_BYTES = 32;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

const secondsAfter = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
const earliest = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);
const before = (a: Date, b: Date) => a.getTime() < b.getTime();

/** Every access token minted for the sign-in stops working wherever tokens are verified. */
function sessionRevoked(
  record: Pick<RefreshTokenRecord, 'familyId' | 'subject'>,
  at: Date,
  reason: 'logout' | 'refresh_token_reuse',
): EventEnvelope {
  return newEnvelope(
    EventTypes.AuthSessionRevoked,
    { sessionId: record.familyId, subject: record.subject, revokedAt: at.toISOString(), reason },
    at,
  );
}

type RotationOutcome =
  { kind: 'rotated' | 'replayed'; token: string } | { kind: 'revoked' } | { kind: 'reused' };

/**
 * Rotating refresh tokens (RFC 9700 §4.14.2). Each token works once. A token presented
 * again revokes its whole family, successors included: either the client or a thief holds
 * a copy, and we cannot tell which.
 *
 * One exception, the reuse grace: parallel requests of one session (two tabs, a page that
 * loads several things) refresh the same token at once. A replay by the token's own client
 * within `reuseGraceSeconds` of the rotation gets the very successor that rotation issued,
 * as long as that successor is still unused and its family alive; nothing new is minted,
 * so the family stays one chain. Outside that window reuse is reuse.
 */
export class RefreshTokenFamilies {
  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly metrics: AuthMetrics,
    private readonly policy: RefreshTokenPolicy,
    private readonly successors: SuccessorSealer,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Starts a family for a fresh sign-in: its first token, and its id (the access tokens' `sid`). */
  async start(owner: {
    clientId: string;
    subject: string;
    scope: readonly string[];
  }): Promise<{ token: string; sessionId: string }> {
    const now = this.clock();
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
    return { token, sessionId: familyId };
  }

  /**
   * The record of a token `clientId` may refresh with now, or invalid_grant. A used token
   * within its grace passes (rotate() decides what it gets); any other used token is reuse:
   * the family is revoked before refusing.
   */
  async redeemable(token: string, clientId: string): Promise<RefreshTokenRecord> {
    const record = await this.tokens.findByHash(hashToken(token));
    if (!record) throw invalidGrant();
    if (record.clientId !== clientId) {
      // A rotated token in another client's hands has leaked; the grace is its own client's only.
      if (record.usedAt !== null) await this.revokeForReuse(record);
      throw invalidGrant();
    }
    if (record.familyRevokedAt !== null) throw invalidGrant();
    const now = this.clock();
    if (record.usedAt !== null) {
      if (record.graceUntil !== null && before(now, record.graceUntil)) return record;
      await this.revokeForReuse(record);
      throw invalidGrant();
    }
    if (!isLive(record, now)) throw invalidGrant();
    return record;
  }

  /**
   * Spends `record`'s token and returns its successor. The family lock serializes every
   * rotation of a family, and the conditional update lets exactly one of several concurrent
   * refreshes rotate; the others, like any replay within the grace, get that same successor.
   */
  async rotate(record: RefreshTokenRecord): Promise<string> {
    const now = this.clock();
    const next = randomBytes(TOKEN_BYTES).toString('base64url');
    const nextHash = hashToken(next);
    const grace = this.policy.reuseGraceSeconds;
    const outcome = await this.tokens.transaction(async (tx): Promise<RotationOutcome> => {
      const family = await tx.lockFamily(record.familyId);
      if (!family || family.revokedAt !== null) return { kind: 'revoked' };
      const rotated = await tx.markUsed(record.tokenHash, now, {
        successorHash: nextHash,
        sealedSuccessor: grace > 0 ? this.successors.seal(record.tokenHash, next) : null,
        sealedUntil: grace > 0 ? secondsAfter(now, grace) : null,
      });
      if (rotated) {
        await tx.insertToken({
          tokenHash: nextHash,
          familyId: record.familyId,
          issuedAt: now,
          expiresAt: earliest(secondsAfter(now, this.policy.idleTtlSeconds), record.familyExpiresAt),
        });
        // The predecessor can no longer hand this (now used) token back.
        await tx.eraseSealedSuccessors(record.familyId, record.tokenHash);
        return { kind: 'rotated', token: next };
      }
      const successor = await this.successorWithinGrace(tx, record.tokenHash, now);
      if (successor !== undefined) return { kind: 'replayed', token: successor };
      await tx.revokeFamily(record.familyId, now, 'reuse', [
        sessionRevoked(record, now, 'refresh_token_reuse'),
      ]);
      return { kind: 'reused' };
    });
    if (outcome.kind === 'reused') this.metrics.refreshReuseDetected();
    if (outcome.kind === 'replayed') this.metrics.refreshReplayedWithinGrace();
    if (outcome.kind === 'revoked' || outcome.kind === 'reused') throw invalidGrant();
    return outcome.token;
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
    return isLive(record, this.clock()) ? record : undefined;
  }

  /** Logout (RFC 7009): the whole family goes. Another client's token is left alone. */
  async revokeByToken(token: string, clientId: string): Promise<boolean> {
    const record = await this.tokens.findByHash(hashToken(token));
    if (!record || record.clientId !== clientId) return false;
    const now = this.clock();
    await this.tokens.revokeFamily(record.familyId, now, 'revoked_by_client', [
      sessionRevoked(record, now, 'logout'),
    ]);
    return true;
  }

  /** No event: ms-users announced the deactivation, which revokes every token of the account. */
  async revokeFamily(familyId: string, reason: 'account_inactive'): Promise<void> {
    await this.tokens.revokeFamily(familyId, this.clock(), reason, []);
  }

  /**
   * The successor a replay of a rotated token may have: only within the grace, only while
   * that successor is unused and live (a chain that moved on is never rolled back), and only
   * when the sealed copy opens on this row and matches the recorded hash.
   */
  private async successorWithinGrace(
    tx: RefreshTokenTransaction,
    rotatedHash: Buffer,
    now: Date,
  ): Promise<string | undefined> {
    const rotation = await tx.findRotation(rotatedHash);
    if (!rotation?.sealedSuccessor || !rotation.sealedUntil || !rotation.successorHash) return undefined;
    if (!before(now, rotation.sealedUntil)) return undefined;
    const { successor } = rotation;
    if (!successor || successor.usedAt !== null || !before(now, successor.expiresAt)) return undefined;
    const token = this.successors.open(rotatedHash, rotation.sealedSuccessor);
    return token !== undefined && hashToken(token).equals(rotation.successorHash) ? token : undefined;
  }

  /** Either the client or a thief holds a copy: the access tokens of the sign-in go too. */
  private async revokeForReuse(record: RefreshTokenRecord): Promise<void> {
    const now = this.clock();
    await this.tokens.revokeFamily(record.familyId, now, 'reuse', [
      sessionRevoked(record, now, 'refresh_token_reuse'),
    ]);
    this.metrics.refreshReuseDetected();
  }
}

function isLive(record: RefreshTokenRecord, now: Date): boolean {
  return record.expiresAt.getTime() > now.getTime() && record.familyExpiresAt.getTime() > now.getTime();
}
