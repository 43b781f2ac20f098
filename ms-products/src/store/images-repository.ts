import { enqueuePgEvent } from '@marketshare/platform/outbox';
import { inPgTransaction, type PgPool, type QueryResultRow } from '@marketshare/platform/pg';
import type { Dimensions } from '../domain/images/codec.js';
import type { ImageStatus, ProductAccess, ProductImage } from '../domain/images/image.js';
import type { ImageRepository, LockedProduct } from '../domain/images/ports.js';

interface ImageRow extends QueryResultRow {
  id: string;
  product_id: string;
  content_type: string;
  byte_size: number;
  width: number;
  height: number;
  sha256: string;
  alt: string | null;
  position: number;
  status: ImageStatus;
  thumbnail_width: number | null;
  thumbnail_height: number | null;
  created_at: Date;
}

interface ProductRow extends QueryResultRow {
  id: string;
  seller_id: string;
  status: ProductAccess['status'];
}

const IMAGE_COLUMNS = `id, product_id, content_type, byte_size, width, height, sha256, alt, position, status,
  thumbnail_width, thumbnail_height, created_at`;

function toImage(row: ImageRow): ProductImage {
  return {
    id: row.id,
    productId: row.product_id,
    contentType: row.content_type,
    byteSize: row.byte_size,
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    alt: row.alt,
    position: row.position,
    status: row.status,
    thumbnail:
      row.thumbnail_width !== null && row.thumbnail_height !== null
        ? { width: row.thumbnail_width, height: row.thumbnail_height }
        : undefined,
    createdAt: row.created_at,
  };
}

function toProduct(row: ProductRow): ProductAccess {
  return { id: row.id, sellerId: row.seller_id, status: row.status };
}

/** product_images (010) and the few product columns image access depends on. */
export class PgImageRepository implements ImageRepository {
  constructor(private readonly pool: PgPool) {}

  async findProduct(productId: string): Promise<ProductAccess | undefined> {
    const { rows } = await this.pool.query<ProductRow>(
      'SELECT id, seller_id, status FROM products WHERE id = $1',
      [productId],
    );
    return rows[0] && toProduct(rows[0]);
  }

  async list(productId: string): Promise<ProductImage[]> {
    const { rows } = await this.pool.query<ImageRow>(
      `SELECT ${IMAGE_COLUMNS} FROM product_images WHERE product_id = $1 ORDER BY position`,
      [productId],
    );
    return rows.map(toImage);
  }

  async find(productId: string, imageId: string): Promise<ProductImage | undefined> {
    const { rows } = await this.pool.query<ImageRow>(
      `SELECT ${IMAGE_COLUMNS} FROM product_images WHERE product_id = $1 AND id = $2`,
      [productId, imageId],
    );
    return rows[0] && toImage(rows[0]);
  }

  async countImages(productId: string): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>(
      'SELECT COUNT(*)::int AS count FROM product_images WHERE product_id = $1',
      [productId],
    );
    return rows[0]?.count ?? 0;
  }

  withProductLocked<T>(
    productId: string,
    work: (locked: LockedProduct | undefined) => Promise<T>,
  ): Promise<T> {
    return inPgTransaction(this.pool, async (client) => {
      const product = await client.query<ProductRow>(
        'SELECT id, seller_id, status FROM products WHERE id = $1 FOR UPDATE',
        [productId],
      );
      if (!product.rows[0]) return work(undefined);
      const { rows } = await client.query<{ count: number; next_position: number }>(
        `SELECT COUNT(*)::int AS count, COALESCE(MAX(position) + 1, 0)::int AS next_position
           FROM product_images WHERE product_id = $1`,
        [productId],
      );
      return work({
        product: toProduct(product.rows[0]),
        imageCount: rows[0]?.count ?? 0,
        nextPosition: rows[0]?.next_position ?? 0,
        async insert(image, event) {
          const inserted = await client.query<ImageRow>(
            `INSERT INTO product_images (id, product_id, content_type, byte_size, width, height, sha256, alt, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING ${IMAGE_COLUMNS}`,
            [
              image.id,
              image.productId,
              image.contentType,
              image.byteSize,
              image.width,
              image.height,
              image.sha256,
              image.alt,
              image.position,
            ],
          );
          await enqueuePgEvent(client, event);
          const row = inserted.rows[0];
          if (!row) throw new Error('INSERT … RETURNING returned no row');
          return toImage(row);
        },
      });
    });
  }

  async delete(productId: string, imageId: string): Promise<ProductImage | undefined> {
    const { rows } = await this.pool.query<ImageRow>(
      `DELETE FROM product_images WHERE product_id = $1 AND id = $2 RETURNING ${IMAGE_COLUMNS}`,
      [productId, imageId],
    );
    return rows[0] && toImage(rows[0]);
  }

  async markThumbnailReady(imageId: string, thumbnail: Dimensions): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE product_images SET status = 'ready', thumbnail_width = $2, thumbnail_height = $3 WHERE id = $1`,
      [imageId, thumbnail.width, thumbnail.height],
    );
    return (rowCount ?? 0) > 0;
  }

  async markThumbnailFailed(imageId: string): Promise<void> {
    await this.pool.query(
      `UPDATE product_images SET status = 'failed', thumbnail_width = NULL, thumbnail_height = NULL
        WHERE id = $1 AND status = 'pending'`,
      [imageId],
    );
  }
}
