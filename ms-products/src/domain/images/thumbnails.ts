import type { ProductImageUploaded } from '@marketshare/platform/contracts';
import type { ImageCodec } from './codec.js';
import { ImageError } from './errors.js';
import { formatOfContentType, IMAGE_FORMATS } from './formats.js';
import type { ImageFileStore, ImageRepository } from './ports.js';

/**
 * made: the thumbnail is written and the image ready. already_done: a duplicate delivery (ready
 * or failed before). gone: the image or its product was deleted meanwhile. undecodable: the
 * original cannot be decoded; the image is marked failed and retrying cannot help.
 */
export type ThumbnailOutcome = 'made' | 'already_done' | 'gone' | 'undecodable';

/** Makes the thumbnail of an uploaded image. Safe to run twice, or concurrently, for one image. */
export class ThumbnailMaker {
  constructor(
    private readonly repository: ImageRepository,
    private readonly files: ImageFileStore,
    private readonly codec: ImageCodec,
  ) {}

  async make(uploaded: ProductImageUploaded): Promise<ThumbnailOutcome> {
    const image = await this.repository.find(uploaded.productId, uploaded.imageId);
    if (!image) return 'gone';
    if (image.status !== 'pending') return 'already_done';
    const format = formatOfContentType(image.contentType);
    if (!format) return this.fail(image.id);
    const source = this.files.originalPath(image.productId, image.id, IMAGE_FORMATS[format].extension);
    if (!(await this.files.exists(source))) return 'gone';

    let thumbnail;
    try {
      thumbnail = await this.codec.thumbnail(source);
    } catch (error) {
      // Anything but a refusal to decode (out of memory, a disk error) is worth another attempt.
      if (!(error instanceof ImageError)) throw error;
      // The original may have been deleted under the decoder.
      if (!(await this.files.exists(source))) return 'gone';
      return this.fail(image.id);
    }
    if (!(await this.files.writeThumbnail(image.productId, image.id, thumbnail.data))) return 'gone';
    if (!(await this.repository.markThumbnailReady(image.id, thumbnail.dimensions))) {
      // Deleted while we worked: its files were removed before ours existed.
      await this.files.removeThumbnail(image.productId, image.id);
      return 'gone';
    }
    return 'made';
  }

  private async fail(imageId: string): Promise<ThumbnailOutcome> {
    await this.repository.markThumbnailFailed(imageId);
    return 'undecodable';
  }
}
