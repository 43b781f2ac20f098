import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { imageTooLarge, ImageError, unsupportedImageType } from './errors.js';
import { sniffImageFormat, SNIFF_LENGTH, type ImageFormat } from './formats.js';

/**
 * Passes an upload through while checking it: it fails the stream as soon as the size limit
 * is passed (nothing more is read or written) or the leading bytes are not an accepted image
 * format, and meanwhile counts and hashes what went through.
 */
export class UploadInspector extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private head = Buffer.alloc(0);
  private sniffed: ImageFormat | undefined;
  private bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  /** The format of the bytes; set once the stream finished without error. */
  get format(): ImageFormat {
    if (!this.sniffed) throw new Error('the upload has not been inspected yet');
    return this.sniffed;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Hex SHA-256 of the bytes; read it once the stream finished. */
  sha256(): string {
    return this.hash.copy().digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(imageTooLarge(this.maxBytes));
    if (!this.sniffed) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF_LENGTH)]).subarray(0, SNIFF_LENGTH);
      if (this.head.length >= SNIFF_LENGTH) {
        const error = this.decide();
        if (error) return callback(error);
      }
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes === 0) {
      return callback(new ImageError('invalid', 'empty_image', 'The image file is empty.', 'image'));
    }
    callback(this.sniffed ? null : (this.decide() ?? null));
  }

  private decide(): ImageError | undefined {
    this.sniffed = sniffImageFormat(this.head);
    return this.sniffed ? undefined : unsupportedImageType();
  }
}
