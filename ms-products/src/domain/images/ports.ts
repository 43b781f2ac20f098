import type { Readable, Transform } from 'node:stream';
import type { EventEnvelope } from '@marketshare/platform/contracts';
import type { Dimensions } from './codec.js';
import type { NewProductImage, ProductAccess, ProductImage } from './image.js';

/** The image rows, and the products they hang on. */
export interface ImageRepository {
  findProduct(productId: string): Promise<ProductAccess | undefined>;
  /** A product's images by position. */
  list(productId: string): Promise<ProductImage[]>;
  find(productId: string, imageId: string): Promise<ProductImage | undefined>;
  countImages(productId: string): Promise<number>;
  /**
   * Runs `work` in one transaction holding the product's row lock (so concurrent uploads
   * count each other and the product cannot be deleted meanwhile); `locked` is undefined when
   * the product does not exist. Commits when `work` resolves, rolls back when it throws.
   */
  withProductLocked<T>(
    productId: string,
    work: (locked: LockedProduct | undefined) => Promise<T>,
  ): Promise<T>;
  /** Deletes the row; undefined when there was none. */
  delete(productId: string, imageId: string): Promise<ProductImage | undefined>;
  /** False when the image no longer exists. */
  markThumbnailReady(imageId: string, thumbnail: Dimensions): Promise<boolean>;
  markThumbnailFailed(imageId: string): Promise<void>;
}

export interface LockedProduct {
  product: ProductAccess;
  imageCount: number;
  nextPosition: number;
  /** Inserts the row and enqueues `event` in the outbox, in the locking transaction. */
  insert(image: NewProductImage, event: EventEnvelope<unknown>): Promise<ProductImage>;
}

/** An upload written to a temporary file, not yet an image of any product. */
export interface StagedFile {
  path: string;
  /** Removes the temporary file (safe to call twice). */
  discard(): Promise<void>;
}

export interface OpenedFile {
  stream: Readable;
  size: number;
}

/** The image files: `${IMAGES_DIR}/${productId}/${imageId}.${ext}` and `….thumb.webp`. */
export interface ImageFileStore {
  /**
   * Streams `source` through `inspect` into a temporary file. On any failure (including
   * `inspect` refusing the bytes) the temporary file is removed before the error is rethrown.
   */
  stage(source: Readable, inspect: Transform): Promise<StagedFile>;
  /** Moves a validated staged file to its final name. */
  place(staged: StagedFile, productId: string, imageId: string, extension: string): Promise<void>;
  originalPath(productId: string, imageId: string, extension: string): string;
  exists(file: string): Promise<boolean>;
  /** undefined when the file does not exist. */
  openOriginal(productId: string, imageId: string, extension: string): Promise<OpenedFile | undefined>;
  openThumbnail(productId: string, imageId: string): Promise<OpenedFile | undefined>;
  /** Writes the thumbnail atomically; false when the product's directory is gone (product deleted). */
  writeThumbnail(productId: string, imageId: string, data: Buffer): Promise<boolean>;
  removeThumbnail(productId: string, imageId: string): Promise<void>;
  /** Removes the original and the thumbnail, whichever exist. */
  removeImage(productId: string, imageId: string, extension: string): Promise<void>;
}
