export type GrantType = 'password' | 'refresh_token' | 'client_credentials';

export const GRANT_TYPES: readonly GrantType[] = ['password', 'refresh_token', 'client_credentials'];

export function isGrantType(value: unknown): value is GrantType {
  return typeof value === 'string' && GRANT_TYPES.some((grant) => grant === value);
}

/** A client as registered in code; its secret comes from configuration. */
export interface ClientDefinition {
  id: string;
  grantTypes: readonly GrantType[];
  /** What its tokens may carry. For `frontend` these are the scopes of user tokens. */
  scopes: readonly string[];
}

/** An authenticated client, as the grants see it. */
export interface Client {
  id: string;
  grantTypes: ReadonlySet<GrantType>;
  scopes: ReadonlySet<string>;
}

/**
 * Every client there is. People act through `frontend`; a user's access token carries no
 * scope (services authorize people by `role`), so its scope list is empty. Services get
 * only the scopes of the internal calls they make.
 */
export const REGISTERED_CLIENTS: readonly ClientDefinition[] = [
  { id: 'frontend', grantTypes: ['password', 'refresh_token'], scopes: [] },
  { id: 'ms-users', grantTypes: ['client_credentials'], scopes: [] },
  // Emails about orders need the recipient's address.
  { id: 'ms-email', grantTypes: ['client_credentials'], scopes: ['users:read'] },
  { id: 'ms-orders', grantTypes: ['client_credentials'], scopes: ['stock:reserve', 'users:read'] },
  { id: 'ms-products', grantTypes: ['client_credentials'], scopes: ['users:read'] },
];

/**
 * ms-auth's own identity towards ms-users. It is not a registered client: nobody can
 * authenticate as it, so `users:verify_credentials` exists only in tokens ms-auth mints
 * for itself.
 */
export const SELF_CLIENT_ID = 'ms-auth';
export const SELF_SCOPES: readonly string[] = ['users:verify_credentials', 'users:read'];

/** Every scope any token may carry, for the discovery document. */
export function supportedScopes(): string[] {
  const all = new Set([...SELF_SCOPES, ...REGISTERED_CLIENTS.flatMap((client) => client.scopes)]);
  return [...all].sort();
}
