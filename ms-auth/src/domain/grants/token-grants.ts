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
  /**
   * The announced revocations: a token is not signed within the second of its subject's latest
   * one, which `iat` (whole seconds) could not tell apart from the tokens it revoked.
   */
  revocations?: { msUntilIssuable(subject: string): number };
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
    await this.outOfRevokedSecond(account.id);
    // The sign-in first: its access tokens carry its id, so a logout can revoke them too.
    const session = client.grantTypes.has('refresh_token')
      ? await this.deps.families.start({ clientId: client.id, subject: account.id, scope })
      : undefined;
    const access = this.deps.signer.issue({
      subject: account.id,
      clientId: client.id,
      scopes: scope,
      role: account.role,
      ...(session ? { sessionId: session.sessionId } : {}),
    });
    return {
      grantType: 'password',
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: session?.token,
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
    await this.outOfRevokedSecond(account.id);
    // The role is read fresh, so a role change reaches the next access token.
    const access = this.deps.signer.issue({
      subject: account.id,
      clientId: client.id,
      scopes: scope,
      role: account.role,
      sessionId: record.familyId,
    });
    return {
      grantType: 'refresh_token',
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken,
      scope,
    };
  }

  /** At most a second or two, and only right after a password reset (deactivated accounts never get here). */
  private async outOfRevokedSecond(subject: string): Promise<void> {
    const waitMs = this.deps.revocations?.msUntilIssuable(subject) ?? 0;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
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
