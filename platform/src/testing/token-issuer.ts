import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface TestTokenClaims {
  sub?: string;
  role?: string;
  scope?: string;
  client_id?: string;
  [claim: string]: unknown;
}

/**
 * A key pair and a JWKS endpoint on 127.0.0.1 for a service's own tests, so a service can be
 * tested without starting ms-auth. End-to-end tests use the real ms-auth.
 */
export class TestTokenIssuer {
  readonly issuer = 'http://127.0.0.1/test-issuer';
  readonly audience = 'marketshare-api';
  readonly kid = randomUUID();
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  private server: Server | undefined;
  jwksUrl = '';

  constructor() {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  async start(): Promise<this> {
    const jwk = { ...this.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'ES256', use: 'sig' };
    this.server = createServer((_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo; // a listening TCP server has an AddressInfo
    this.jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A valid access token; overrides let tests break one property at a time. */
  sign(
    claims: TestTokenClaims,
    options: { expiresInSeconds?: number; audience?: string; issuer?: string; kid?: string } = {},
  ): string {
    return jwt.sign({ client_id: 'frontend', ...claims }, this.privateKey, {
      algorithm: 'ES256',
      expiresIn: options.expiresInSeconds ?? 300,
      audience: options.audience ?? this.audience,
      issuer: options.issuer ?? this.issuer,
      keyid: options.kid ?? this.kid,
      header: { alg: 'ES256', typ: 'at+jwt' },
      jwtid: randomUUID(),
    });
  }

  userToken(sub: string, role: 'seller' | 'consumer' | 'admin', scope = ''): string {
    return this.sign({ sub, role, scope });
  }

  serviceToken(clientId: string, scope: string): string {
    return this.sign({ sub: clientId, client_id: clientId, scope });
  }
}
