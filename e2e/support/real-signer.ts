import { randomUUID } from 'node:crypto';
import { createMysqlPool, type Pool } from '@marketshare/platform/mysql';
import { KeySealer } from '../../ms-auth/src/domain/keys/key-sealing.js';
import { SigningKeyRing } from '../../ms-auth/src/domain/keys/signing-key-ring.js';
import { AccessTokenSigner } from '../../ms-auth/src/domain/tokens/access-token-signer.js';
import { SigningKeysRepository } from '../../ms-auth/src/store/signing-keys-repository.js';

/**
 * Signs tokens with the stack's real active key (read from ms-auth's database the way ms-auth
 * reads it), so the tests can present expired or foreign tokens that only differ from good
 * ones in the one property under test.
 */
export class RealKeySigner {
  private constructor(
    private readonly pool: Pool,
    private readonly signer: AccessTokenSigner,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  static async open(options: {
    mysqlUrl: string;
    keyEncryptionSecret: string;
    issuer: string;
    audience: string;
  }): Promise<RealKeySigner> {
    const pool = createMysqlPool(options.mysqlUrl, { connectionLimit: 2 });
    const ring = new SigningKeyRing(
      new SigningKeysRepository(pool),
      new KeySealer(options.keyEncryptionSecret),
      {
        retireAfterSeconds: 3600,
      },
    );
    await ring.reload();
    const signer = new AccessTokenSigner(ring, {
      issuer: options.issuer,
      audience: options.audience,
      ttlSeconds: 300,
    });
    return new RealKeySigner(pool, signer, options.issuer, options.audience);
  }

  sign(
    subject: { sub: string; role: 'seller' | 'consumer' | 'admin' },
    overrides: { exp?: number; iss?: string; aud?: string } = {},
  ): string {
    const now = Math.floor(Date.now() / 1000);
    return this.signer.signClaims({
      iss: overrides.iss ?? this.issuer,
      aud: overrides.aud ?? this.audience,
      sub: subject.sub,
      client_id: 'frontend',
      scope: '',
      role: subject.role,
      iat: now - 600,
      nbf: now - 600,
      exp: overrides.exp ?? now + 300,
      jti: randomUUID(),
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
