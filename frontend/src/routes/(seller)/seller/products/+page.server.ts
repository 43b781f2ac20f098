import { fail } from '@sveltejs/kit';
import { changeProduct, listOwnProducts, problemErrors } from '$lib/server/seller';
import type { Actions, PageServerLoad } from './$types';

const STATUSES = ['published', 'unpublished'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
  const given = url.searchParams.get('status');
  const status = STATUSES.find((candidate) => candidate === given) ?? null;
  const cursor = url.searchParams.get('cursor');
  const page = await listOwnProducts(locals.api, { status, cursor });
  return { status, cursor, page };
};

/** publish, unpublish and delete from the list: the product id comes in the form. */
function change(kind: 'publish' | 'unpublish' | 'delete'): Actions[string] {
  return async ({ locals, request }) => {
    const id = (await request.formData()).get('id');
    if (typeof id !== 'string' || id === '') return fail(400, { id: '', message: 'No product was chosen.' });
    const response = await changeProduct(locals.api, id, kind);
    if (response.status >= 300) {
      const message =
        response.status === 409 && kind === 'publish'
          ? 'An administrator unpublished this product; it cannot be published until they restore it.'
          : response.status === 409
            ? 'This product has orders or other records, so it cannot be deleted. Unpublish it instead.'
            : (problemErrors(response.body)['form'] ?? 'That did not work.');
      return fail(response.status === 404 ? 404 : 409, { id, message });
    }
    const done = { publish: 'published', unpublish: 'unpublished', delete: 'deleted' }[kind];
    return { id, message: `Product ${done}.` };
  };
}

export const actions: Actions = {
  publish: change('publish'),
  unpublish: change('unpublish'),
  delete: change('delete'),
};
