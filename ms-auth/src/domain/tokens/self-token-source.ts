import type { TokenSource } from '@marketshare/platform';
import { SELF_CLIENT_ID, SELF_SCOPES } from '../clients/registered-clients.js';
import type { AccessTokenSigner } from './access-token-signer.js';

/**
 * ms-auth's own service token for calling ms-users, minted with the local signer: asking
 * ourselves over HTTP would add a hop and a secret for nothing.
 */
export class SelfTokenSource implements TokenSource {
  private cached: { token: string; renewAt: number } | undefined;

  constructor(private readonly signer: AccessTokenSigner) {}

  getToken(): Promise<string> {
    const now = Date.now();
    if (!this.cached || now >= this.cached.renewAt) {
      const issued = this.signer.issue({
        subject: SELF_CLIENT_ID,
        clientId: SELF_CLIENT_ID,
        scopes: SELF_SCOPES,
      });
      // Renew at half-life: a token in flight never arrives expired, and rotation is picked up soon.
      this.cached = { token: issued.token, renewAt: now + (issued.expiresIn * 1000) / 2 };
    }
    return Promise.resolve(this.cached.token);
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
