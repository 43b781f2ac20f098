import { fail, redirect } from '@sveltejs/kit';
import { createProduct, productProblem, readProductForm } from '$lib/server/seller';
import { field } from '$lib/server/upstream';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async ({ locals, request }) => {
    const form = await request.formData();
    const publish = form.get('publish') === 'yes';
    const { values, errors, input } = readProductForm(form);
    if (input === null) return fail(400, { values, errors, publish });
    const response = await createProduct(locals.api, {
      ...input,
      status: publish ? 'published' : 'unpublished',
    });
    const id = field(response.body, 'id');
    if (response.status !== 201 || typeof id !== 'string')
      return fail(response.status >= 500 ? 502 : 400, { values, errors: productProblem(response), publish });
    // Straight to its page: the next thing a seller does is add images.
    redirect(303, `/seller/products/${id}?created=1`);
  },
};
