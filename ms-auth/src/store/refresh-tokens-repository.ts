import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from '@marketshare/platform/mysql';
import { inTransaction } from '@marketshare/platform/mysql';
import { bufferColumn, dateColumn, listColumn, nullableDateColumn, stringColumn } from './columns.js';

export type FamilyRevocationReason = 'reuse' | 'revoked_by_client' | 'account_inactive';

export interface RefreshTokenRecord {
  tokenHash: Buffer;
  familyId: string;
  clientId: string;
  subject: string;
  scope: string[];
  issuedAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
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

/** The statements a rotation runs inside one transaction. */
export interface RefreshTokenTransaction {
  /** Locks the family row until commit, so rotations and revocations of a family serialize. */
  lockFamily(familyId: string): Promise<{ revokedAt: Date | null } | undefined>;
  /** The conditional update: true only for the one caller that flips used_at from NULL. */
  markUsed(tokenHash: Buffer, usedAt: Date): Promise<boolean>;
  insertToken(token: NewRefreshToken): Promise<void>;
  revokeFamily(familyId: string, at: Date, reason: FamilyRevocationReason): Promise<void>;
}

async function insertToken(connection: Pool | PoolConnection, token: NewRefreshToken): Promise<void> {
  await connection.query(
    'INSERT INTO refresh_tokens (token_hash, family_id, issued_at, expires_at) VALUES (?, ?, ?, ?)',
    [token.tokenHash, token.familyId, token.issuedAt, token.expiresAt],
  );
}

async function revokeFamily(
  connection: Pool | PoolConnection,
  familyId: string,
  at: Date,
  reason: FamilyRevocationReason,
): Promise<void> {
  await connection.query(
    'UPDATE refresh_token_families SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
    [at, reason, familyId],
  );
}

export class RefreshTokensRepository {
  constructor(private readonly pool: Pool) {}

  async findByHash(tokenHash: Buffer): Promise<RefreshTokenRecord | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT t.token_hash, t.family_id, t.issued_at, t.expires_at, t.used_at,
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

  revokeFamily(familyId: string, at: Date, reason: FamilyRevocationReason): Promise<void> {
    return revokeFamily(this.pool, familyId, at, reason);
  }

  transaction<T>(work: (tx: RefreshTokenTransaction) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, (connection) =>
      work({
        async lockFamily(familyId) {
          const [rows] = await connection.query<RowDataPacket[]>(
            'SELECT revoked_at FROM refresh_token_families WHERE id = ? FOR UPDATE',
            [familyId],
          );
          const row = rows[0];
          return row ? { revokedAt: nullableDateColumn(row, 'revoked_at') } : undefined;
        },
        async markUsed(tokenHash, usedAt) {
          const [result] = await connection.query<ResultSetHeader>(
            'UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL',
            [usedAt, tokenHash],
          );
          return result.affectedRows === 1;
        },
        insertToken: (token) => insertToken(connection, token),
        revokeFamily: (familyId, at, reason) => revokeFamily(connection, familyId, at, reason),
      }),
    );
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
