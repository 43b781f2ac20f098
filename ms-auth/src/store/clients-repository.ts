import type { Pool, RowDataPacket } from '@marketshare/platform/mysql';
import { inTransaction } from '@marketshare/platform/mysql';
import { isGrantType, type Client, type ClientDefinition } from '../domain/clients/registered-clients.js';
import { bufferColumn, listColumn, stringColumn } from './columns.js';

export interface StoredClient {
  client: Client;
  secretHash: Buffer;
}

export class ClientsRepository {
  constructor(private readonly pool: Pool) {}

  async findEnabled(clientId: string): Promise<StoredClient | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT client_id, secret_hash, grant_types, scopes FROM clients WHERE client_id = ? AND enabled = 1',
      [clientId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      client: {
        id: stringColumn(row, 'client_id'),
        grantTypes: new Set(listColumn(row, 'grant_types').filter(isGrantType)),
        scopes: new Set(listColumn(row, 'scopes')),
      },
      secretHash: bufferColumn(row, 'secret_hash'),
    };
  }

  /** Upserts the registered clients and disables every other row, in one transaction. */
  async replaceRegistered(
    clients: readonly { definition: ClientDefinition; secretHash: Buffer }[],
    now: Date,
  ): Promise<void> {
    await inTransaction(this.pool, async (connection) => {
      for (const { definition, secretHash } of clients) {
        await connection.query(
          `INSERT INTO clients (client_id, secret_hash, grant_types, scopes, enabled, updated_at)
           VALUES (?, ?, ?, ?, 1, ?)
           ON DUPLICATE KEY UPDATE secret_hash = VALUES(secret_hash), grant_types = VALUES(grant_types),
             scopes = VALUES(scopes), enabled = 1, updated_at = VALUES(updated_at)`,
          [definition.id, secretHash, definition.grantTypes.join(' '), definition.scopes.join(' '), now],
        );
      }
      await connection.query('UPDATE clients SET enabled = 0, updated_at = ? WHERE client_id NOT IN (?)', [
        now,
        clients.map(({ definition }) => definition.id),
      ]);
    });
  }
}
