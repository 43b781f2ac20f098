import type { GrantType } from '../clients/registered-clients.js';

/** A token request whose parameters are present and well formed (RFC 6749 §4.3, §4.4, §6). */
export type TokenRequest =
  | { grantType: 'password'; username: string; password: string; scope: string[] | undefined }
  | { grantType: 'refresh_token'; refreshToken: string; scope: string[] | undefined }
  | { grantType: 'client_credentials'; scope: string[] | undefined };

export interface IssuedTokens {
  grantType: GrantType;
  accessToken: string;
  expiresIn: number;
  refreshToken: string | undefined;
  scope: string[];
}
