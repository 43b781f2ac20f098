import type { Static } from '@marketshare/platform';
import type { Account } from '../../domain/ports.js';
import type { AccountView, AdminAccountView } from './schemas.js';

/** What the account holder sees: everything but the password hash. */
export function presentAccount(account: Account): Static<typeof AccountView> {
  return {
    id: account.id,
    username: account.username,
    email: account.email,
    role: account.role,
    status: account.status,
    companyName: account.companyName,
    displayName: account.displayName,
    phone: account.phone,
    address: account.address,
    website: account.website,
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
    deactivatedAt: account.deactivatedAt?.toISOString() ?? null,
  };
}

export function presentAccountForAdmin(account: Account): Static<typeof AdminAccountView> {
  return { ...presentAccount(account), deactivationReason: account.deactivationReason };
}
