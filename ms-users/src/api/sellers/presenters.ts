import type { Static } from '@marketshare/platform';
import type { Account } from '../../domain/ports.js';
import type { SellerProfileView } from './schemas.js';

/** Public: nothing that reaches the person (email, phone, address) leaves through here. */
export function presentSellerProfile(account: Account): Static<typeof SellerProfileView> {
  return {
    id: account.id,
    username: account.username,
    companyName: account.companyName,
    displayName: account.displayName,
    website: account.website,
    joinedAt: account.createdAt.toISOString(),
  };
}
