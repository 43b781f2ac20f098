import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from '@marketshare/platform/mysql';
import { inTransaction } from '@marketshare/platform/mysql';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import { enqueueEvent } from '@marketshare/platform/outbox';
import {
  bufferColumn,
  dateColumn,
  listColumn,
  nullableBufferColumn,
  nullableDateColumn,
  stringColumn,
} from './columns.js';

export type FamilyRevocationReason = 'reuse' | 'revoked_by_client' | 'account_inactive' | 'subject_revoked';

export interface RefreshTokenRecord {
  tokenHash: Buffer;
  familyId: string;
  clientId: string;
  subject: string;
  scope: string[];
  issuedAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** Until when a replay may get this token's successor back (null: no grace was granted). */
  graceUntil: Date | null;
  familyExpiresAt: Date;
  familyRevokedAt: Date | null;
}

export interface NewRefreshToken {
  tokenHash: Buffer;
  familyId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface NewFamily {
  id: string;
  clientId: string;
  subject: string;
  scope: readonly string[];
  createdAt: Date;
  expiresAt: Date;
}

/** What a rotation leaves on the rotated token: its successor, sealed for the grace only. */
export interface Succession {
  successorHash: Buffer;
  /** Null when no grace is granted. */
  sealedSuccessor: Buffer | null;
  sealedUntil: Date | null;
}

/** A rotated token as a replay sees it, with the state of its successor. */
export interface Rotation {
  successorHash: Buffer | null;
  sealedSuccessor: Buffer | null;
  sealedUntil: Date | null;
  successor: { usedAt: Date | null; expiresAt: Date } | undefined;
}

/** The statements a rotation runs inside one transaction. */
export interface RefreshTokenTransaction {
  /** Locks the family row until commit, so rotations and revocations of a family serialize. */
  lockFamily(familyId: string): Promise<{ revokedAt: Date | null } | undefined>;
  /** The conditional update: true only for the one caller that flips used_at from NULL. */
  markUsed(tokenHash: Buffer, usedAt: Date, succession: Succession): Promise<boolean>;
  /** Read with a lock, so it sees the rotation that committed before this transaction got the family. */
  findRotation(tokenHash: Buffer): Promise<Rotation | undefined>;
  insertToken(token: NewRefreshToken): Promise<void>;
  /** Erases the sealed successors of the family's other tokens: the chain has moved past them. */
  eraseSealedSuccessors(familyId: string, exceptTokenHash: Buffer): Promise<void>;
  /** Revokes the family; `events` go to the outbox with it, only when it was live until now. */
  revokeFamily(
    familyId: string,
    at: Date,
    reason: FamilyRevocationReason,
    events: readonly EventEnvelope[],
  ): Promise<void>;
}

async function insertToken(connection: Pool | PoolConnection, token: NewRefreshToken): Promise<void> {
  await connection.query(
    'INSERT INTO refresh_tokens (token_hash, family_id, issued_at, expires_at) VALUES (?, ?, ?, ?)',
    [token.tokenHash, token.familyId, token.issuedAt, token.expiresAt],
  );
}

/**
 * Call inside a transaction: the events are enqueued with the revocation or not at all.
 * True when events were enqueued.
 */
async function revokeFamily(
  connection: PoolConnection,
  familyId: string,
  at: Date,
  reason: FamilyRevocationReason,
  events: readonly EventEnvelope[],
): Promise<boolean> {
  const [result] = await connection.query<ResultSetHeader>(
    'UPDATE refresh_token_families SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
    [at, reason, familyId],
  );
  // An already revoked family was announced when it was revoked.
  const announced = result.affectedRows > 0 && events.length > 0;
  if (announced) for (const event of events) await enqueueEvent(connection, event);
  // A revoked family's successors can never be handed back; their sealed copies go at once.
  await connection.query(
    `UPDATE refresh_tokens SET successor_sealed = NULL, successor_sealed_until = NULL
     WHERE family_id = ? AND successor_sealed IS NOT NULL`,
    [familyId],
  );
  return announced;
}

export class RefreshTokensRepository {
  /** @param onEventsCommitted told after a transaction that enqueued events commits (wakes the relay) */
  constructor(
    private readonly pool: Pool,
    private readonly onEventsCommitted: () => void = () => undefined,
  ) {}

  async findByHash(tokenHash: Buffer): Promise<RefreshTokenRecord | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT t.token_hash, t.family_id, t.issued_at, t.expires_at, t.used_at, t.successor_sealed_until,
              f.client_id, f.subject, f.scope, f.expires_at AS family_expires_at, f.revoked_at AS family_revoked_at
       FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id
       WHERE t.token_hash = ?`,
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      tokenHash: bufferColumn(row, 'token_hash'),
      familyId: stringColumn(row, 'family_id'),
      clientId: stringColumn(row, 'client_id'),
      subject: stringColumn(row, 'subject'),
      scope: listColumn(row, 'scope'),
      issuedAt: dateColumn(row, 'issued_at'),
      expiresAt: dateColumn(row, 'expires_at'),
      usedAt: nullableDateColumn(row, 'used_at'),
      graceUntil: nullableDateColumn(row, 'successor_sealed_until'),
      familyExpiresAt: dateColumn(row, 'family_expires_at'),
      familyRevokedAt: nullableDateColumn(row, 'family_revoked_at'),
    };
  }

  async createFamily(family: NewFamily, firstToken: NewRefreshToken): Promise<void> {
    await inTransaction(this.pool, async (connection) => {
      await connection.query(
        `INSERT INTO refresh_token_families (id, client_id, subject, scope, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [
          family.id,
          family.clientId,
          family.subject,
          family.scope.join(' '),
          family.createdAt,
          family.expiresAt,
        ],
      );
      await insertToken(connection, firstToken);
    });
  }

  async revokeFamily(
    familyId: string,
    at: Date,
    reason: FamilyRevocationReason,
    events: readonly EventEnvelope[],
  ): Promise<void> {
    const announced = await inTransaction(this.pool, (connection) =>
      revokeFamily(connection, familyId, at, reason, events),
    );
    if (announced) this.onEventsCommitted();
  }

  /** Revokes the subject's live families that began at or before `createdBefore`; how many. */
  async revokeSubjectFamilies(subject: string, createdBefore: Date, at: Date): Promise<number> {
    return inTransaction(this.pool, async (connection) => {
      const [result] = await connection.query<ResultSetHeader>(
        `UPDATE refresh_token_families SET revoked_at = ?, revoked_reason = 'subject_revoked'
         WHERE subject = ? AND created_at <= ? AND revoked_at IS NULL`,
        [at, subject, createdBefore],
      );
      // As for any revoked family: no successor of theirs can be handed back any more.
      await connection.query(
        `UPDATE refresh_tokens SET successor_sealed = NULL, successor_sealed_until = NULL
         WHERE successor_sealed IS NOT NULL
           AND family_id IN (SELECT id FROM refresh_token_families WHERE subject = ? AND revoked_at IS NOT NULL)`,
        [subject],
      );
      return result.affectedRows;
    });
  }

  async transaction<T>(work: (tx: RefreshTokenTransaction) => Promise<T>): Promise<T> {
    let announced = false;
    const result = await inTransaction(this.pool, (connection) =>
      work({
        async lockFamily(familyId) {
          const [rows] = await connection.query<RowDataPacket[]>(
            'SELECT revoked_at FROM refresh_token_families WHERE id = ? FOR UPDATE',
            [familyId],
          );
          const row = rows[0];
          return row ? { revokedAt: nullableDateColumn(row, 'revoked_at') } : undefined;
        },
        async markUsed(tokenHash, usedAt, succession) {
          const [result] = await connection.query<ResultSetHeader>(
            `UPDATE refresh_tokens SET used_at = ?, successor_hash = ?, successor_sealed = ?, successor_sealed_until = ?
             WHERE token_hash = ? AND used_at IS NULL`,
            [usedAt, succession.successorHash, succession.sealedSuccessor, succession.sealedUntil, tokenHash],
          );
          return result.affectedRows === 1;
        },
        async findRotation(tokenHash) {
          const [rows] = await connection.query<RowDataPacket[]>(
            `SELECT t.successor_hash, t.successor_sealed, t.successor_sealed_until,
                    s.token_hash AS successor_found, s.used_at AS successor_used_at, s.expires_at AS successor_expires_at
             FROM refresh_tokens t LEFT JOIN refresh_tokens s ON s.token_hash = t.successor_hash
             WHERE t.token_hash = ? FOR UPDATE`,
            [tokenHash],
          );
          const row = rows[0];
          if (!row) return undefined;
          return {
            successorHash: nullableBufferColumn(row, 'successor_hash'),
            sealedSuccessor: nullableBufferColumn(row, 'successor_sealed'),
            sealedUntil: nullableDateColumn(row, 'successor_sealed_until'),
            successor:
              row['successor_found'] === null
                ? undefined
                : {
                    usedAt: nullableDateColumn(row, 'successor_used_at'),
                    expiresAt: dateColumn(row, 'successor_expires_at'),
                  },
          };
        },
        insertToken: (token) => insertToken(connection, token),
        async eraseSealedSuccessors(familyId, exceptTokenHash) {
          await connection.query(
            `UPDATE refresh_tokens SET successor_sealed = NULL, successor_sealed_until = NULL
             WHERE family_id = ? AND token_hash <> ? AND successor_sealed IS NOT NULL`,
            [familyId, exceptTokenHash],
          );
        },
        async revokeFamily(familyId, at, reason, events) {
          if (await revokeFamily(connection, familyId, at, reason, events)) announced = true;
        },
      }),
    );
    if (announced) this.onEventsCommitted();
    return result;
  }

  /** Sealed successors whose grace has ended are erased, not merely ignored. */
  async eraseLapsedSuccessors(now: Date): Promise<number> {
    const [result] = await this.pool.query<ResultSetHeader>(
      `UPDATE refresh_tokens SET successor_sealed = NULL, successor_sealed_until = NULL
       WHERE successor_sealed_until <= ? LIMIT 10000`,
      [now],
    );
    return result.affectedRows;
  }

  /** Families past their absolute expiry can never be used again; their tokens go with them. */
  async purgeExpired(now: Date): Promise<number> {
    const [result] = await this.pool.query<ResultSetHeader>(
      'DELETE FROM refresh_token_families WHERE expires_at < ? LIMIT 10000',
      [now],
    );
    return result.affectedRows;
  }
}
