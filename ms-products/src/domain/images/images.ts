import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { EventTypes, newEnvelope } from '@marketshare/platform/contracts';
import { THUMBNAIL_CONTENT_TYPE, type ImageCodec } from './codec.js';
import { ImageError, imageNotFound, productNotFound } from './errors.js';
import { formatOfContentType, IMAGE_FORMATS } from './formats.js';
import { canSee, isSellerOf, type ProductAccess, type ProductImage, type Viewer } from './image.js';
import type { ImageFileStore, OpenedFile, ImageRepository, StagedFile } from './ports.js';
import { UploadInspector } from './upload-inspector.js';

export interface ImageRules {
  maxBytes: number;
  maxImagesPerProduct: number;
}

/** An image file to send, with what its response headers need. */
export interface ImageDownload {
  image: ProductImage;
  file: OpenedFile;
  contentType: string;
  /** Quoted, as the ETag header carries it. */
  etag: string;
  /** Whether shared caches may keep it (the product is public). */
  isPublic: boolean;
}

/** Staged bytes that passed the upload inspection, waiting for the rest of the form. */
export interface ReceivedUpload {
  staged: StagedFile;
  inspector: UploadInspector;
}

/**
 * Product images: upload (validated, stored, thumbnail queued), listing, download and
 * deletion. Only a product's seller changes its images; who may see them follows the
 * product's visibility.
 */
export class ProductImages {
  constructor(
    private readonly repository: ImageRepository,
    private readonly files: ImageFileStore,
    private readonly codec: ImageCodec,
    private readonly rules: ImageRules,
    private readonly onEventsCommitted: () => void,
  ) {}

  /** The checks that need no upload: a refused request is answered before its body is read. */
  async assertCanUpload(viewer: Viewer, productId: string): Promise<void> {
    const product = await this.ownedProduct(viewer, productId);
    if ((await this.repository.countImages(product.id)) >= this.rules.maxImagesPerProduct) {
      throw this.tooManyImages();
    }
  }

  /** Streams an upload into a temporary file, refusing it as soon as its size or leading bytes are wrong. */
  async receive(source: Readable): Promise<ReceivedUpload> {
    const inspector = new UploadInspector(this.rules.maxBytes);
    const staged = await this.files.stage(source, inspector);
    return { staged, inspector };
  }

  /**
   * Validates a received upload (complete image, pixel limit), makes it the product's next
   * image and queues its thumbnail, all or nothing: on any refusal or failure no file and no
   * row remain.
   */
  async add(
    viewer: Viewer,
    productId: string,
    upload: ReceivedUpload,
    alt: string | undefined,
  ): Promise<ProductImage> {
    const { staged, inspector } = upload;
    const format = IMAGE_FORMATS[inspector.format];
    const imageId = randomUUID();
    // Paths are built from ids as stored (lowercase), never from the request's spelling.
    let placedIn: string | undefined;
    try {
      const dimensions = await this.codec.validate(staged.path, inspector.format);
      const image = await this.repository.withProductLocked(productId, async (locked) => {
        if (!locked) throw productNotFound();
        const product = this.checkOwner(locked.product, viewer);
        if (locked.imageCount >= this.rules.maxImagesPerProduct) throw this.tooManyImages();
        const event = newEnvelope(EventTypes.ProductImageUploaded, {
          productId: product.id,
          imageId,
          sellerId: product.sellerId,
          contentType: format.contentType,
        });
        await this.files.place(staged, product.id, imageId, format.extension);
        placedIn = product.id;
        return locked.insert(
          {
            id: imageId,
            productId: product.id,
            contentType: format.contentType,
            byteSize: inspector.byteSize,
            ...dimensions,
            sha256: inspector.sha256(),
            alt: alt ?? null,
            position: locked.nextPosition,
          },
          event,
        );
      });
      this.onEventsCommitted();
      return image;
    } catch (error) {
      if (placedIn) await this.files.removeImage(placedIn, imageId, format.extension);
      throw error;
    } finally {
      await staged.discard();
    }
  }

  async list(viewer: Viewer | undefined, productId: string): Promise<ProductImage[]> {
    await this.visibleProduct(viewer, productId);
    return this.repository.list(productId);
  }

  async original(viewer: Viewer | undefined, productId: string, imageId: string): Promise<ImageDownload> {
    const product = await this.visibleProduct(viewer, productId);
    const image = await this.repository.find(productId, imageId);
    const format = image && formatOfContentType(image.contentType);
    const file =
      format && (await this.files.openOriginal(product.id, image.id, IMAGE_FORMATS[format].extension));
    if (!image || !file) throw imageNotFound();
    return {
      image,
      file,
      contentType: image.contentType,
      etag: `"${image.sha256}"`,
      isPublic: product.status === 'published',
    };
  }

  async thumbnail(viewer: Viewer | undefined, productId: string, imageId: string): Promise<ImageDownload> {
    const product = await this.visibleProduct(viewer, productId);
    const image = await this.repository.find(productId, imageId);
    if (!image) throw imageNotFound();
    if (image.status !== 'ready') {
      throw new ImageError(
        'not_found',
        image.status === 'failed' ? 'thumbnail_failed' : 'thumbnail_not_ready',
        image.status === 'failed'
          ? 'No thumbnail could be made of this image.'
          : 'The thumbnail is still being made; try again shortly.',
      );
    }
    const file = await this.files.openThumbnail(product.id, image.id);
    if (!file) throw imageNotFound();
    return {
      image,
      file,
      contentType: THUMBNAIL_CONTENT_TYPE,
      // Made from the original alone, so the original's hash identifies it too.
      etag: `"${image.sha256}-thumb"`,
      isPublic: product.status === 'published',
    };
  }

  async delete(viewer: Viewer, productId: string, imageId: string): Promise<void> {
    const product = await this.visibleProduct(viewer, productId);
    if (!isSellerOf(product, viewer) && viewer.role !== 'admin') throw this.notTheSeller();
    const deleted = await this.repository.delete(productId, imageId);
    if (!deleted) throw imageNotFound();
    const format = formatOfContentType(deleted.contentType);
    if (format) await this.files.removeImage(product.id, deleted.id, IMAGE_FORMATS[format].extension);
  }

  private async visibleProduct(viewer: Viewer | undefined, productId: string): Promise<ProductAccess> {
    const product = await this.repository.findProduct(productId);
    if (!product || !canSee(product, viewer)) throw productNotFound();
    return product;
  }

  private async ownedProduct(viewer: Viewer, productId: string): Promise<ProductAccess> {
    return this.checkOwner(await this.repository.findProduct(productId), viewer);
  }

  /** Others' unpublished products do not exist for them; others' published ones are not theirs to change. */
  private checkOwner(product: ProductAccess | undefined, viewer: Viewer): ProductAccess {
    if (!product || !canSee(product, viewer)) throw productNotFound();
    if (!isSellerOf(product, viewer)) throw this.notTheSeller();
    return product;
  }

  private notTheSeller(): ImageError {
    return new ImageError(
      'forbidden',
      'not_product_seller',
      "Only the product's seller may change its images.",
    );
  }

  private tooManyImages(): ImageError {
    return new ImageError(
      'conflict',
      'too_many_images',
      `A product has at most ${this.rules.maxImagesPerProduct} images; delete one first.`,
    );
  }
}
