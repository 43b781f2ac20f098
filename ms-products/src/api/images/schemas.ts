import { Type, type Static } from '@marketshare/platform';

const Uuid = (description: string) => Type.String({ format: 'uuid', description });

export const ProductImagesParams = Type.Object({ id: Uuid('Product id') }, { additionalProperties: false });

export const ProductImageParams = Type.Object(
  { id: Uuid('Product id'), imageId: Uuid('Image id') },
  { additionalProperties: false },
);

export const ALT_MAX_LENGTH = 300;

/**
 * The text fields of the upload form (the file itself is the `image` field). One line,
 * bounded, no control characters; an unknown field is refused like in every JSON body.
 */
export const ImageFormFields = Type.Object(
  {
    alt: Type.Optional(
      Type.String({
        maxLength: ALT_MAX_LENGTH,
        pattern: '^[^\\u0000-\\u001f\\u007f]*$',
        description: 'Text alternative for people who cannot see the image',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ImageFormFields = Static<typeof ImageFormFields>;

const Dimension = Type.Integer({ minimum: 1 });

export const ImageView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  productId: Type.String({ format: 'uuid' }),
  position: Type.Integer({ minimum: 0, description: 'Images are listed by position, first upload first' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('failed')], {
    description: 'pending until the thumbnail is made; failed when it cannot be',
  }),
  contentType: Type.String({ description: 'Sniffed from the bytes: image/jpeg, image/png or image/webp' }),
  byteSize: Type.Integer({ minimum: 1 }),
  width: Dimension,
  height: Dimension,
  alt: Type.Union([Type.String(), Type.Null()]),
  sha256: Type.String({ description: 'Hex SHA-256 of the original: its ETag' }),
  thumbnail: Type.Union([Type.Object({ width: Dimension, height: Dimension }), Type.Null()]),
  urls: Type.Object({
    original: Type.String({ format: 'uri' }),
    thumbnail: Type.String({ format: 'uri', description: '404 until status is ready' }),
  }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type ImageView = Static<typeof ImageView>;

export const ImageListView = Type.Object({ items: Type.Array(ImageView) });
