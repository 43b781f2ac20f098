import { defineRoute, type AuthPolicy, type Route } from '@marketshare/platform';
import type { ProductsDeps } from '../../deps.js';
import { ImageCodec } from '../../domain/images/codec.js';
import { ProductImages } from '../../domain/images/images.js';
import { ImageFiles } from '../../store/images-files.js';
import { PgImageRepository } from '../../store/images-repository.js';
import { problem, signedInViewer, viewerOf } from './images-route.js';
import { uploadMetrics } from './metrics.js';
import { readImageForm } from './multipart.js';
import { presentImage } from './presenters.js';
import { ImageListView, ImageView, ProductImageParams, ProductImagesParams } from './schemas.js';
import { sendImage } from './send-image.js';

const TAGS = ['images'];
const SELLERS: AuthPolicy = { roles: ['seller'] };
const IMAGE_FILE_FIELD = 'image';

export function productImagesService(deps: ProductsDeps): ProductImages {
  const { config } = deps;
  return new ProductImages(
    new PgImageRepository(deps.pool),
    new ImageFiles(config.IMAGES_DIR),
    new ImageCodec({ maxPixels: config.IMAGE_MAX_PIXELS }),
    { maxBytes: config.IMAGE_MAX_BYTES, maxImagesPerProduct: config.IMAGE_MAX_PER_PRODUCT },
    // Looked up per call: the process sets it once its outbox relay exists.
    () => deps.onEventsCommitted(),
  );
}

export function imageRoutes(deps: ProductsDeps): Route[] {
  const images = productImagesService(deps);
  const metrics = uploadMetrics(deps.metrics.registry);
  const publicUrl = deps.config.PUBLIC_URL;
  return [
    defineRoute({
      method: 'post',
      path: '/api/products/:id/images',
      operationId: 'uploadProductImage',
      summary: `Upload an image (multipart/form-data: file field "${IMAGE_FILE_FIELD}", optional "alt"; JPEG, PNG or WebP)`,
      tags: TAGS,
      auth: SELLERS,
      params: ProductImagesParams,
      responses: {
        201: { description: 'Stored; the thumbnail follows (status pending)', schema: ImageView },
        400: problem('Malformed form, unknown or repeated field, missing file'),
        403: problem("Not the product's seller"),
        404: problem('No such product'),
        409: problem('too_many_images'),
        413: problem('image_too_large'),
        415: problem('unsupported_image_type (judged by the bytes) or not multipart/form-data'),
        422: problem('invalid_image (truncated or corrupt) or image_too_many_pixels'),
      },
      handler: async ({ params, principal, ctx }) => {
        const viewer = signedInViewer(principal);
        try {
          await images.assertCanUpload(viewer, params.id);
          const form = await readImageForm(ctx.req, {
            fileField: IMAGE_FILE_FIELD,
            maxFileBytes: deps.config.IMAGE_MAX_BYTES,
            receive: (file) => images.receive(file),
            discard: (upload) => upload.staged.discard(),
          });
          const image = await images.add(viewer, params.id, form.received, form.fields.alt || undefined);
          metrics.count('stored');
          const body = presentImage(image, publicUrl);
          return { status: 201, body, headers: { Location: body.urls.original } };
        } catch (error) {
          metrics.count(error);
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/products/:id/images',
      operationId: 'listProductImages',
      summary: "A product's images in order",
      tags: TAGS,
      auth: 'optional',
      params: ProductImagesParams,
      responses: {
        200: { description: 'The images', schema: ImageListView },
        404: problem('No such product (or not visible to you)'),
      },
      handler: async ({ params, principal }) => ({
        body: {
          items: (await images.list(viewerOf(principal), params.id)).map((image) =>
            presentImage(image, publicUrl),
          ),
        },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/products/:id/images/:imageId',
      operationId: 'getProductImage',
      summary: 'The original image (ETag, immutable caching, If-None-Match)',
      tags: TAGS,
      auth: 'optional',
      params: ProductImageParams,
      responses: {
        200: { description: 'The image bytes', contentType: 'image/*' },
        304: { description: 'Your copy is current' },
        404: problem('No such product or image'),
      },
      handler: async ({ params, principal, ctx }) => {
        sendImage(ctx, await images.original(viewerOf(principal), params.id, params.imageId));
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/products/:id/images/:imageId/thumbnail',
      operationId: 'getProductImageThumbnail',
      summary: 'The thumbnail (WebP inside 320×320), once made',
      tags: TAGS,
      auth: 'optional',
      params: ProductImageParams,
      responses: {
        200: { description: 'The thumbnail bytes', contentType: 'image/webp' },
        304: { description: 'Your copy is current' },
        404: problem('No such product or image; thumbnail_not_ready; thumbnail_failed'),
      },
      handler: async ({ params, principal, ctx }) => {
        sendImage(ctx, await images.thumbnail(viewerOf(principal), params.id, params.imageId));
        return undefined;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/products/:id/images/:imageId',
      operationId: 'deleteProductImage',
      summary: 'Delete an image and its files (the seller, or an admin)',
      tags: TAGS,
      auth: { roles: ['seller', 'admin'] },
      params: ProductImageParams,
      responses: {
        204: { description: 'Deleted' },
        403: problem("Not the product's seller"),
        404: problem('No such product or image'),
      },
      handler: async ({ params, principal }) => {
        await images.delete(signedInViewer(principal), params.id, params.imageId);
        return { status: 204 };
      },
    }),
  ];
}
