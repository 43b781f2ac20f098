import type { Static } from '@marketshare/platform';
import type { Account } from '../../domain/ports.js';
import type { InternalAccountDetailView, InternalAccountView } from './schemas.js';

/** What ms-auth needs to issue or refresh a token; nothing personal. */
export function presentInternalAccount(account: Account): Static<typeof InternalAccountView> {
  return { id: account.id, username: account.username, role: account.role, status: account.status };
}

/** The lookup for services with users:read: ms-auth (status checks) and ms-email (order emails). */
export function presentInternalAccountDetail(account: Account): Static<typeof InternalAccountDetailView> {
  return { ...presentInternalAccount(account), email: account.email, companyName: account.companyName };
}

/** Every failed check answers exactly this, so unknown user, wrong password and deactivated look alike. */
export const INVALID_CREDENTIALS: { valid: false } = { valid: false };
