export const ROLES = ['seller', 'consumer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by a verified access token. */
export interface Principal {
  /** The account id for people; the client id for services. */
  subject: string;
  kind: 'user' | 'service';
  role: Role | undefined;
  scopes: ReadonlySet<string>;
  clientId: string;
  tokenId: string | undefined;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
