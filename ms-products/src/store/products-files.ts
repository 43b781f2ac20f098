import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { ProductFiles } from '../domain/products/ports.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A product's image files live in `${IMAGES_DIR}/${productId}/`; deleting the product removes it whole. */
export class ProductImageDirectories implements ProductFiles {
  private readonly root: string;

  constructor(imagesDir: string) {
    this.root = path.resolve(imagesDir);
  }

  async removeAll(productId: string): Promise<void> {
    // Ids come from our own rows; the check keeps a bad one from ever naming another directory.
    if (!UUID.test(productId)) throw new Error(`not a product id: ${JSON.stringify(productId)}`);
    await rm(path.join(this.root, productId), { recursive: true, force: true });
  }
}
