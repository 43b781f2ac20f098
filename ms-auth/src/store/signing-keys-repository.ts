import type { Pool, RowDataPacket } from '@marketshare/platform/mysql';
import { inTransaction } from '@marketshare/platform/mysql';
import { bufferColumn, dateColumn, nullableDateColumn, stringColumn } from './columns.js';

export interface NewSigningKey {
  kid: string;
  alg: string;
  publicJwk: string;
  privateKeySealed: Buffer;
  createdAt: Date;
}

export interface StoredPublicKey {
  kid: string;
  alg: string;
  publicJwk: string;
  createdAt: Date;
  supersededAt: Date | null;
}

export interface StoredActiveKey extends StoredPublicKey {
  privateKeySealed: Buffer;
}

const BOOTSTRAP_LOCK = 'ms_auth_signing_keys';

function publicKeyFrom(row: RowDataPacket): StoredPublicKey {
  return {
    kid: stringColumn(row, 'kid'),
    alg: stringColumn(row, 'alg'),
    publicJwk: stringColumn(row, 'public_jwk'),
    createdAt: dateColumn(row, 'created_at'),
    supersededAt: nullableDateColumn(row, 'superseded_at'),
  };
}

export class SigningKeysRepository {
  constructor(private readonly pool: Pool) {}

  /** The key that signs: the newest one not superseded. */
  async findActive(): Promise<StoredActiveKey | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT kid, alg, public_jwk, private_key_sealed, created_at, superseded_at FROM signing_keys
       WHERE superseded_at IS NULL ORDER BY created_at DESC LIMIT 1`,
    );
    const row = rows[0];
    return row
      ? { ...publicKeyFrom(row), privateKeySealed: bufferColumn(row, 'private_key_sealed') }
      : undefined;
  }

  /** Every key a verifier may still need at `now`: the active one and those not yet retired. */
  async findPublished(now: Date): Promise<StoredPublicKey[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT kid, alg, public_jwk, created_at, superseded_at FROM signing_keys
       WHERE superseded_at IS NULL OR publish_until > ? ORDER BY created_at DESC`,
      [now],
    );
    return rows.map(publicKeyFrom);
  }

  /**
   * Stores `key` unless an active key exists. A named lock makes instances that start
   * together create one key, not one each.
   */
  async insertUnlessActive(key: NewSigningKey): Promise<boolean> {
    const connection = await this.pool.getConnection();
    try {
      const [lock] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, 10) AS got', [
        BOOTSTRAP_LOCK,
      ]);
      if (lock[0]?.['got'] !== 1) throw new Error('could not take the signing-key lock');
      try {
        const [active] = await connection.query<RowDataPacket[]>(
          'SELECT kid FROM signing_keys WHERE superseded_at IS NULL LIMIT 1',
        );
        if (active.length > 0) return false;
        await connection.query(
          `INSERT INTO signing_keys (kid, alg, public_jwk, private_key_sealed, created_at) VALUES (?, ?, ?, ?, ?)`,
          [key.kid, key.alg, key.publicJwk, key.privateKeySealed, key.createdAt],
        );
        return true;
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [BOOTSTRAP_LOCK]);
      }
    } finally {
      connection.release();
    }
  }

  /**
   * Makes `key` the active key. The keys it supersedes stay published until `publishUntil`
   * and lose their private half now: they never sign again.
   */
  async rotateTo(key: NewSigningKey, publishUntil: Date): Promise<void> {
    await inTransaction(this.pool, async (connection) => {
      await connection.query(
        `UPDATE signing_keys SET superseded_at = ?, publish_until = ?, private_key_sealed = ''
         WHERE superseded_at IS NULL`,
        [key.createdAt, publishUntil],
      );
      await connection.query(
        `INSERT INTO signing_keys (kid, alg, public_jwk, private_key_sealed, created_at) VALUES (?, ?, ?, ?, ?)`,
        [key.kid, key.alg, key.publicJwk, key.privateKeySealed, key.createdAt],
      );
    });
  }
}
