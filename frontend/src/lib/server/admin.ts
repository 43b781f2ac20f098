/**
 * The admin's calls: product moderation in ms-products and the account search and
 * deactivation in ms-users, with the session's token.
 */
import { toSellerProduct, sellerProducts, nextCursorOf } from '$lib/seller';
import type { SellerProduct } from '$lib/seller';
import type { Api } from './api.js';
import { field } from './upstream.js';
import type { UpstreamResponse } from './upstream.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Search shows published products only; a product id finds any product (moderated ones too),
 * which is how an admin gets back to one they unpublished.
 */
export async function findProducts(api: Api, q: string): Promise<SellerProduct[] | null> {
  if (UUID.test(q)) {
    const response = await api('ms-products', { route: '/api/products/:id', path: `/api/products/${q}` });
    if (response.status === 404) return [];
    const product = response.status === 200 ? toSellerProduct(response.body) : null;
    return product === null ? null : [product];
  }
  const params = new URLSearchParams({ limit: '30' });
  if (q !== '') params.set('q', q);
  const response = await api('ms-products', {
    route: '/api/products',
    path: `/api/products?${params.toString()}`,
  });
  return response.status === 200 ? sellerProducts(response.body) : null;
}

export function moderateProduct(api: Api, id: string, reason: string | null): Promise<UpstreamResponse> {
  const path = `/api/products/${encodeURIComponent(id)}/moderation`;
  const route = '/api/products/:id/moderation';
  if (reason === null) return api('ms-products', { method: 'DELETE', route, path });
  return api('ms-products', {
    method: 'POST',
    route,
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
  });
}

export interface AdminAccount {
  id: string;
  username: string;
  email: string;
  role: string;
  status: string;
  companyName: string;
  createdAt: string;
  deactivationReason: string | null;
}

const text = (value: unknown, key: string): string => {
  const found = field(value, key);
  return typeof found === 'string' ? found : '';
};

export function toAdminAccount(value: unknown): AdminAccount | null {
  const id = text(value, 'id');
  if (id === '') return null;
  const reason = field(value, 'deactivationReason');
  return {
    id,
    username: text(value, 'username'),
    email: text(value, 'email'),
    role: text(value, 'role'),
    status: text(value, 'status'),
    companyName: text(value, 'companyName'),
    createdAt: text(value, 'createdAt'),
    deactivationReason: typeof reason === 'string' ? reason : null,
  };
}

export interface AccountQuery {
  q: string;
  role: string;
  status: string;
  cursor: string;
}

export async function searchAccounts(
  api: Api,
  query: AccountQuery,
): Promise<{ items: AdminAccount[]; nextCursor: string | null } | null> {
  const params = new URLSearchParams({ limit: '20' });
  for (const [key, value] of Object.entries(query)) if (value.trim() !== '') params.set(key, value.trim());
  const response = await api('ms-users', { route: '/api/users', path: `/api/users?${params.toString()}` });
  if (response.status !== 200) return null;
  const items = field(response.body, 'items');
  return {
    items: (Array.isArray(items) ? items : [])
      .map(toAdminAccount)
      .filter((a): a is AdminAccount => a !== null),
    nextCursor: nextCursorOf(response.body),
  };
}

export function deactivateAccount(api: Api, id: string, reason: string): Promise<UpstreamResponse> {
  return api('ms-users', {
    method: 'POST',
    route: '/api/users/:id/deactivate',
    path: `/api/users/${encodeURIComponent(id)}/deactivate`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
  });
}
