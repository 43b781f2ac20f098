import type { ProductImage } from '../../domain/images/image.js';
import type { ImageView } from './schemas.js';

/** Image URLs point at the public entry (the gateway), named by ids that never change meaning. */
export function presentImage(image: ProductImage, publicUrl: string): ImageView {
  const original = `${publicUrl.replace(/\/+$/, '')}/api/products/${image.productId}/images/${image.id}`;
  return {
    id: image.id,
    productId: image.productId,
    position: image.position,
    status: image.status,
    contentType: image.contentType,
    byteSize: image.byteSize,
    width: image.width,
    height: image.height,
    alt: image.alt,
    sha256: image.sha256,
    thumbnail: image.thumbnail ?? null,
    urls: { original, thumbnail: `${original}/thumbnail` },
    createdAt: image.createdAt.toISOString(),
  };
}
