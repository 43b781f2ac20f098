import type { Role } from '@marketshare/platform';
import type { Dimensions } from './codec.js';

export type ImageStatus = 'pending' | 'ready' | 'failed';

/** One stored image of a product; its thumbnail exists once `status` is ready. */
export interface ProductImage {
  id: string;
  productId: string;
  contentType: string;
  byteSize: number;
  width: number;
  height: number;
  /** Hex SHA-256 of the original's bytes. */
  sha256: string;
  alt: string | null;
  position: number;
  status: ImageStatus;
  thumbnail: Dimensions | undefined;
  createdAt: Date;
}

export type NewProductImage = Omit<ProductImage, 'status' | 'thumbnail' | 'createdAt'>;

/** What image access depends on about a product. */
export interface ProductAccess {
  id: string;
  sellerId: string;
  status: 'published' | 'unpublished';
}

/** Who is asking; undefined for anonymous visitors. */
export interface Viewer {
  subject: string;
  role: Role | undefined;
}

export function isSellerOf(product: ProductAccess, viewer: Viewer | undefined): boolean {
  return viewer?.role === 'seller' && viewer.subject === product.sellerId;
}

/** Images of a published product are public; of an unpublished one, only its seller's and admins'. */
export function canSee(product: ProductAccess, viewer: Viewer | undefined): boolean {
  return product.status === 'published' || isSellerOf(product, viewer) || viewer?.role === 'admin';
}
