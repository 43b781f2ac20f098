import { defineRoute, type Route } from '@marketshare/platform';
import type { AccountService } from '../../domain/accounts.js';
import { problem } from '../users-route.js';
import { presentSellerProfile } from './presenters.js';
import { SellerParams, SellerProfileView } from './schemas.js';

export function sellerRoutes({ accounts }: { accounts: AccountService }): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/users/sellers/:id',
      operationId: 'getSellerProfile',
      summary: "A seller's public profile",
      tags: ['sellers'],
      auth: 'public',
      params: SellerParams,
      responses: {
        200: { description: 'The profile', schema: SellerProfileView },
        404: problem('No active seller with this id'),
      },
      handler: async ({ params }) => ({
        body: presentSellerProfile(await accounts.findPublicSeller(params.id)),
      }),
    }),
  ];
}
