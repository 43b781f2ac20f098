import { fail, redirect } from '@sveltejs/kit';
import { attributesToText, IMAGE_MAX_BYTES, IMAGE_TYPES, toMajorText } from '$lib/seller';
import {
  changeProduct,
  deleteImage,
  listImages,
  loadOwnProduct,
  problemErrors,
  productProblem,
  readProductForm,
  updateProduct,
  uploadImage,
} from '$lib/server/seller';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const [product, images] = await Promise.all([
    loadOwnProduct(locals.api, params.id),
    listImages(locals.api, params.id),
  ]);
  return {
    product,
    images,
    created: url.searchParams.get('created') === '1',
    values: {
      name: product.name,
      description: product.description,
      category: product.category,
      price: toMajorText(product.priceMinor, product.currency),
      currency: product.currency,
      stock: String(product.stock),
      attributes: attributesToText(product.attributes),
    },
  };
};

const CHANGE_FAILED: Record<string, string> = {
  publish: 'An administrator unpublished this product; it cannot be published until they restore it.',
  delete: 'This product has orders or other records, so it cannot be deleted. Unpublish it instead.',
};

function change(kind: 'publish' | 'unpublish'): Actions[string] {
  return async ({ locals, params }) => {
    const response = await changeProduct(locals.api, params.id, kind);
    if (response.status !== 200)
      return fail(409, { notice: CHANGE_FAILED[kind] ?? problemErrors(response.body)['form'] ?? '' });
    return { notice: kind === 'publish' ? 'Product published.' : 'Product unpublished.' };
  };
}

function imageProblem(status: number, body: unknown): string {
  if (status === 413) return 'The image is too large.';
  if (status === 415) return 'Choose a JPEG, PNG or WebP image.';
  if (status === 409) return 'This product has as many images as it may have.';
  if (status === 422) return 'The image could not be read (damaged, or too many pixels).';
  return problemErrors(body, {}, 'The image could not be uploaded. Please try again.')['form'] ?? '';
}

export const actions: Actions = {
  save: async ({ locals, params, request }) => {
    const { values, errors, input } = readProductForm(await request.formData());
    if (input === null) return fail(400, { values, errors });
    const response = await updateProduct(locals.api, params.id, input);
    if (response.status !== 200)
      return fail(response.status >= 500 ? 502 : 400, { values, errors: productProblem(response) });
    return { notice: 'Changes saved.' };
  },
  publish: change('publish'),
  unpublish: change('unpublish'),
  delete: async ({ locals, params }) => {
    const response = await changeProduct(locals.api, params.id, 'delete');
    if (response.status !== 204 && response.status !== 404)
      return fail(409, { notice: CHANGE_FAILED['delete'] ?? '' });
    redirect(303, '/seller/products');
  },
  upload: async ({ locals, params, request }) => {
    const form = await request.formData();
    const file = form.get('image');
    const alt = String(form.get('alt') ?? '').trim();
    const fail400 = (message: string) => fail(400, { imageError: message, alt });
    if (!(file instanceof File) || file.size === 0) return fail400('Choose an image file.');
    if (!IMAGE_TYPES.includes(file.type)) return fail400('Choose a JPEG, PNG or WebP image.');
    if (file.size > IMAGE_MAX_BYTES)
      return fail400(`The image is larger than ${Math.round(IMAGE_MAX_BYTES / 1024 / 1024)} MB.`);
    if (alt.length > 300) return fail400('Keep the description under 300 characters.');
    const response = await uploadImage(locals.api, params.id, file, alt);
    if (response.status !== 201)
      return fail(400, { imageError: imageProblem(response.status, response.body), alt });
    return { notice: 'Image uploaded. Its thumbnail is being made.' };
  },
  deleteImage: async ({ locals, params, request }) => {
    const imageId = (await request.formData()).get('imageId');
    if (typeof imageId !== 'string' || imageId === '') return fail(400, { notice: 'No image was chosen.' });
    const response = await deleteImage(locals.api, params.id, imageId);
    if (response.status !== 204 && response.status !== 404)
      return fail(502, { notice: 'The image could not be deleted. Please try again.' });
    return { notice: 'Image deleted.' };
  },
};
