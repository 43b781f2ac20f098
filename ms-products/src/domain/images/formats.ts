/** The image formats we accept, recognised by their leading bytes only. */
export type ImageFormat = 'jpeg' | 'png' | 'webp';

export interface ImageFormatInfo {
  contentType: 'image/jpeg' | 'image/png' | 'image/webp';
  /** Extension of the stored original. */
  extension: 'jpg' | 'png' | 'webp';
}

export const IMAGE_FORMATS: Record<ImageFormat, ImageFormatInfo> = {
  jpeg: { contentType: 'image/jpeg', extension: 'jpg' },
  png: { contentType: 'image/png', extension: 'png' },
  webp: { contentType: 'image/webp', extension: 'webp' },
};

/** Enough leading bytes to tell every accepted format apart (WebP needs 12). */
export const SNIFF_LENGTH = 12;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SOI = Buffer.from([0xff, 0xd8, 0xff]);
const RIFF = Buffer.from('RIFF', 'latin1');
const WEBP = Buffer.from('WEBP', 'latin1');

/**
 * The format the magic number at the start of `head` announces, or undefined. The file name
 * and the declared Content-Type are never consulted: both are whatever the client says.
 */
export function sniffImageFormat(head: Buffer): ImageFormat | undefined {
  if (head.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return 'png';
  if (head.subarray(0, JPEG_SOI.length).equals(JPEG_SOI)) return 'jpeg';
  if (head.length >= SNIFF_LENGTH && head.subarray(0, 4).equals(RIFF) && head.subarray(8, 12).equals(WEBP)) {
    return 'webp';
  }
  return undefined;
}

const ALL_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp'];

/** The format stored under a content type (from our own rows). */
export function formatOfContentType(contentType: string): ImageFormat | undefined {
  return ALL_FORMATS.find((format) => IMAGE_FORMATS[format].contentType === contentType);
}
