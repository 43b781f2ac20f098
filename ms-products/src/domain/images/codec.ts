import sharp, { type Metadata } from 'sharp';
import { ImageError, invalidImage } from './errors.js';
import type { ImageFormat } from './formats.js';

// Every upload is a different file: libvips' operation cache would only hold memory.
sharp.cache(false);

export interface Dimensions {
  width: number;
  height: number;
}

/** The box a thumbnail fits inside, and its encoding. */
export const THUMBNAIL_MAX_EDGE = 320;
export const THUMBNAIL_CONTENT_TYPE = 'image/webp';

export interface ImageCodecOptions {
  /** Decoding larger images is refused (decompression bombs). */
  maxPixels: number;
}

/** sharp's own format names for the formats we accept. */
const SHARP_FORMAT: Record<ImageFormat, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp' };

/**
 * Decoding with sharp. Every call decodes the whole image with `failOn: 'truncated'`, so a
 * file that merely starts like an image (a truncated upload) is refused rather than served.
 */
export class ImageCodec {
  constructor(private readonly options: ImageCodecOptions) {}

  /**
   * Checks that the file at `path` is a complete image of the sniffed format within the pixel
   * limit; returns its dimensions as displayed (EXIF orientation applied).
   */
  async validate(path: string, format: ImageFormat): Promise<Dimensions> {
    const pipeline = () =>
      sharp(path, { failOn: 'truncated', limitInputPixels: this.options.maxPixels, sequentialRead: true });
    let metadata: Metadata;
    try {
      metadata = await pipeline().metadata();
    } catch (error) {
      throw this.classify(error);
    }
    if (metadata.format !== SHARP_FORMAT[format]) throw invalidImage('its content does not match its format');
    const { width, height } = metadata.autoOrient;
    if (!width || !height) throw invalidImage('it has no dimensions');
    if (width * height > this.options.maxPixels) throw this.tooManyPixels();
    try {
      // Statistics need every pixel: the whole image is decoded, nothing is kept.
      await pipeline().stats();
    } catch (error) {
      throw this.classify(error);
    }
    return { width, height };
  }

  /** The thumbnail of the image at `path`: upright, inside the thumbnail box, WebP. */
  async thumbnail(path: string): Promise<{ data: Buffer; dimensions: Dimensions }> {
    try {
      const { data, info } = await sharp(path, {
        failOn: 'truncated',
        limitInputPixels: this.options.maxPixels,
      })
        .rotate()
        .resize(THUMBNAIL_MAX_EDGE, THUMBNAIL_MAX_EDGE, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true });
      return { data, dimensions: { width: info.width, height: info.height } };
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** sharp's message stays in `cause` (for logs): it may name paths on this server. */
  private classify(error: unknown): ImageError {
    const message = error instanceof Error ? error.message : String(error);
    const refused = /pixel limit/i.test(message)
      ? this.tooManyPixels()
      : invalidImage('it is truncated, corrupt or not what its first bytes announce');
    return Object.assign(refused, { cause: error });
  }

  private tooManyPixels(): ImageError {
    return new ImageError(
      'unprocessable',
      'image_too_many_pixels',
      `The image has more than ${this.options.maxPixels} pixels.`,
      'image',
    );
  }
}
