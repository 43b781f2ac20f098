/**
 * "Nothing was stored": a fingerprint of what each service keeps, compared before and after a
 * row. MySQL tables by CHECKSUM TABLE, PostgreSQL tables by an md5 of their rows, the images
 * volume by its file list (staged uploads included), MongoDB through ms-orders' own API.
 */
import { readdirSync } from 'node:fs';
import type { Pool, RowDataPacket } from '@marketshare/platform/mysql';
import type { PgPool } from '@marketshare/platform/pg';

export type Store = 'auth' | 'users' | 'products' | 'images' | 'orders';

const AUTH_TABLES = ['clients', 'refresh_token_families', 'refresh_tokens', 'revoked_access_tokens'];
const USERS_TABLES = ['accounts', 'password_reset_tokens', 'login_throttle'];
const PRODUCTS_TABLES = ['products', 'product_images', 'stock_reservations', 'stock_reservation_items'];

export interface StoreProbeOptions {
  authDb: Pool;
  usersDb: Pool;
  productsDb: PgPool;
  imagesDir: string;
  ordersUrl: string;
  consumerToken: string;
  sellerToken: string;
}

export class StoreProbe {
  constructor(private readonly options: StoreProbeOptions) {}

  private async mysqlChecksum(pool: Pool, tables: readonly string[]): Promise<string> {
    // Table names are the constants above, never input.
    const [rows] = await pool.query<RowDataPacket[]>(`CHECKSUM TABLE ${tables.join(', ')}`);
    return rows.map((row) => `${String(row['Table'])}=${String(row['Checksum'])}`).join(' ');
  }

  private async pgFingerprint(): Promise<string> {
    const parts = await Promise.all(
      PRODUCTS_TABLES.map(async (table) => {
        const { rows } = await this.options.productsDb.query<{ n: string; md5: string | null }>(
          `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${table} t`,
        );
        return `${table}=${rows[0]?.n ?? '?'}/${rows[0]?.md5 ?? '-'}`;
      }),
    );
    return parts.join(' ');
  }

  /** Every file under the images volume, staged uploads (.upload-*.tmp) too. */
  imageFiles(): string[] {
    try {
      return readdirSync(this.options.imagesDir, { recursive: true, encoding: 'utf8' }).sort();
    } catch {
      return [];
    }
  }

  private async ordersView(): Promise<string> {
    const get = async (path: string, token: string) => {
      const response = await fetch(`${this.options.ordersUrl}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(5_000),
      });
      return `${response.status}:${await response.text()}`;
    };
    const { consumerToken, sellerToken } = this.options;
    const views = await Promise.all([
      get('/api/orders?limit=100', consumerToken),
      get('/api/orders?limit=100', sellerToken),
      get('/api/cart', consumerToken),
      get('/api/reviews/mine?limit=100', consumerToken),
    ]);
    return views.join('\n');
  }

  async snapshot(stores: readonly Store[]): Promise<Record<string, string>> {
    const read: Record<Store, () => Promise<string>> = {
      auth: () => this.mysqlChecksum(this.options.authDb, AUTH_TABLES),
      users: () => this.mysqlChecksum(this.options.usersDb, USERS_TABLES),
      products: () => this.pgFingerprint(),
      images: async () => this.imageFiles().join(' '),
      orders: () => this.ordersView(),
    };
    const values = await Promise.all(stores.map((store) => read[store]()));
    return Object.fromEntries(stores.map((store, index) => [store, values[index] ?? '']));
  }
}
