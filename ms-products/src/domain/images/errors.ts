/**
 * What went wrong with an image request, in terms a client can act on; the API layer maps
 * each kind to its HTTP status once (invalid 400, forbidden 403, not_found 404, conflict 409,
 * too_large 413, unsupported 415, unprocessable 422).
 */
export type ImageErrorKind =
  'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'unsupported' | 'unprocessable';

/** An image rule was not met. `code` is stable snake_case; `field` names the form field to fix. */
export class ImageError extends Error {
  override readonly name = 'ImageError';

  constructor(
    readonly kind: ImageErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** One answer for "no such product" and "not visible to you": ids of others' drafts leak nothing. */
export const productNotFound = () => new ImageError('not_found', 'not_found', 'The product does not exist.');

export const imageNotFound = () => new ImageError('not_found', 'not_found', 'The image does not exist.');

export const imageTooLarge = (maxBytes: number) =>
  new ImageError('too_large', 'image_too_large', `The image exceeds ${maxBytes} bytes.`, 'image');

export const unsupportedImageType = () =>
  new ImageError(
    'unsupported',
    'unsupported_image_type',
    'The file is not a JPEG, PNG or WebP image (judged by its content, not its name or declared type).',
    'image',
  );

export const invalidImage = (reason: string) =>
  new ImageError('unprocessable', 'invalid_image', `The image cannot be decoded: ${reason}.`, 'image');
