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
  /** The token's `iat` (seconds since the epoch), what subject revocations are compared with. */
  issuedAt: number | undefined;
  /** The sign-in the token was minted for (`sid`); absent on client-credentials tokens. */
  sessionId: string | undefined;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
