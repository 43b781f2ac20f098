import { isActive, type AccountDirectory } from '../accounts.js';
import type { Client } from '../clients/registered-clients.js';
import { OAuthError, invalidGrant } from '../oauth-error.js';
import { grantableScope } from '../scopes.js';
import type { AccessTokenSigner } from '../tokens/access-token-signer.js';
import type { RefreshTokenFamilies } from '../tokens/refresh-token-families.js';
import type { IssuedTokens, TokenRequest } from './token-request.js';

export interface TokenGrantsDeps {
  signer: AccessTokenSigner;
  families: RefreshTokenFamilies;
  accounts: AccountDirectory;
}

// Unknown user, wrong password and a disabled account all read the same.
const BAD_CREDENTIALS = 'The username or password is incorrect.';

/** The grants of the token endpoint, for an already authenticated client. */
export class TokenGrants {
  constructor(private readonly deps: TokenGrantsDeps) {}

  async grant(client: Client, request: TokenRequest): Promise<IssuedTokens> {
    if (!client.grantTypes.has(request.grantType)) {
      throw new OAuthError('unauthorized_client', `This client may not use the ${request.grantType} grant.`);
    }
    switch (request.grantType) {
      case 'password':
        return this.password(client, request.username, request.password, request.scope);
      case 'refresh_token':
        return this.refresh(client, request.refreshToken, request.scope);
      case 'client_credentials':
        return this.clientCredentials(client, request.scope);
    }
  }

  private async password(
    client: Client,
    username: string,
    password: string,
    requestedScope: string[] | undefined,
  ): Promise<IssuedTokens> {
    const scope = grantableScope(requestedScope, client.scopes);
    const check = await this.deps.accounts.verifyCredentials(username, password);
    if (check.outcome === 'throttled') {
      throw new OAuthError(
        'invalid_grant',
        'Too many failed attempts. Try again later.',
        check.retryAfterSeconds,
      );
    }
    if (check.outcome === 'invalid' || !isActive(check.account)) throw invalidGrant(BAD_CREDENTIALS);
    const { account } = check;
    const access = this.deps.signer.issue({
      subject: account.id,
      clientId: client.id,
      scopes: scope,
      role: account.role,
    });
    const refreshToken = client.grantTypes.has('refresh_token')
      ? await this.deps.families.start({ clientId: client.id, subject: account.id, scope })
      : undefined;
    return {
      grantType: 'password',
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken,
      scope,
    };
  }

  private async refresh(
    client: Client,
    presented: string,
    requestedScope: string[] | undefined,
  ): Promise<IssuedTokens> {
    const record = await this.deps.families.redeemable(presented, client.id);
    // RFC 6749 §6: a refresh may narrow the original scope, never widen it.
    const scope = grantableScope(requestedScope, new Set(record.scope));
    // Checked before the token is spent, so an ms-users outage does not cost the user the session.
    const account = await this.deps.accounts.findAccount(record.subject);
    if (!account || !isActive(account)) {
      await this.deps.families.revokeFamily(record.familyId, 'account_inactive');
      throw invalidGrant();
    }
    const refreshToken = await this.deps.families.rotate(record);
    // The role is read fresh, so a role change reaches the next access token.
    const access = this.deps.signer.issue({
      subject: account.id,
      clientId: client.id,
      scopes: scope,
      role: account.role,
    });
    return {
      grantType: 'refresh_token',
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken,
      scope,
    };
  }

  private clientCredentials(client: Client, requestedScope: string[] | undefined): Promise<IssuedTokens> {
    const scope = grantableScope(requestedScope, client.scopes);
    const access = this.deps.signer.issue({ subject: client.id, clientId: client.id, scopes: scope });
    // RFC 6749 §4.4.3: no refresh token; the client simply asks again.
    return Promise.resolve({
      grantType: 'client_credentials',
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: undefined,
      scope,
    });
  }
}
