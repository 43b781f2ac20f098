import { defineRoute, type Route } from '@marketshare/platform';
import type { AccountSearch } from '../../domain/account-search.js';
import { namedInQuery, problem } from '../users-route.js';
import { presentAccountForAdmin } from './presenters.js';
import { AccountPageView, AccountSearchQuery } from './schemas.js';

const DEFAULT_LIMIT = 20;

/** `GET /api/users`: the admin account search (moderation). Registration is POST on the same path. */
export function accountSearchRoute({ search }: { search: AccountSearch }): Route {
  return defineRoute({
    method: 'get',
    path: '/api/users',
    operationId: 'searchAccounts',
    summary: 'Find accounts by name or email, role and status, newest first, in keyset pages (admins only)',
    tags: ['admin'],
    auth: { roles: ['admin'] },
    query: AccountSearchQuery,
    responses: {
      200: { description: 'One page of accounts', schema: AccountPageView },
      400: problem('Invalid query, or a cursor made for another search (invalid_cursor)'),
    },
    handler: async ({ query }) => {
      const page = await search
        .search({
          q: query.q,
          role: query.role,
          status: query.status,
          cursor: query.cursor,
          limit: query.limit ?? DEFAULT_LIMIT,
        })
        .catch(namedInQuery);
      return { body: { items: page.items.map(presentAccountForAdmin), nextCursor: page.nextCursor } };
    },
  });
}
