import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isRole, type Principal } from './principal.js';

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface JwksVerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Pinned: a token naming any other algorithm (none, HS256, ...) is refused before any key is used. */
  algorithms?: string[];
  clockToleranceSeconds?: number;
  /** An unknown `kid` triggers a refetch at most this often, so forged kids cannot flood ms-auth. */
  minRefetchIntervalMs?: number;
  cacheTtlMs?: number;
  fetchTimeoutMs?: number;
}

interface CachedKey {
  key: KeyObject;
  alg: string;
}

function isJwkList(value: unknown): value is { keys: (JsonWebKey & { kid?: unknown; alg?: unknown })[] } {
  return typeof value === 'object' && value !== null && Array.isArray(Reflect.get(value, 'keys'));
}

/**
 * Verifies access tokens locally against ms-auth's published keys. The key set is cached and
 * refetched when it is old or a token names a key id we have not seen (key rotation).
 */
export class JwksVerifier implements TokenVerifier {
  private keys = new Map<string, CachedKey>();
  private fetchedAt = 0;
  private inflight: Promise<void> | undefined;
  private readonly algorithms: string[];

  constructor(private readonly options: JwksVerifierOptions) {
    this.algorithms = options.algorithms ?? ['ES256'];
  }

  async verify(token: string): Promise<Principal> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw new InvalidTokenError('malformed token');
    const { header } = decoded;
    if (!this.algorithms.includes(header.alg)) throw new InvalidTokenError('algorithm not allowed');
    const typ = (header.typ ?? '').toLowerCase();
    if (typ !== 'at+jwt' && typ !== 'application/at+jwt') throw new InvalidTokenError('not an access token');
    if (!header.kid) throw new InvalidTokenError('missing key id');
    const cached = await this.keyFor(header.kid);
    if (!cached || cached.alg !== header.alg) throw new InvalidTokenError('unknown signing key');
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, cached.key, {
        algorithms: [cached.alg as jwt.Algorithm], // alg came from our own JWKS and was checked against the pin list
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
      });
    } catch (error) {
      throw new InvalidTokenError(error instanceof Error ? error.message : 'invalid token');
    }
    if (typeof payload === 'string') throw new InvalidTokenError('malformed token');
    return toPrincipal(payload);
  }

  private async keyFor(kid: string): Promise<CachedKey | undefined> {
    const ttl = this.options.cacheTtlMs ?? 10 * 60_000;
    const age = Date.now() - this.fetchedAt;
    const known = this.keys.get(kid);
    if (known && age < ttl) return known;
    const minInterval = this.options.minRefetchIntervalMs ?? 5_000;
    if (!known && age < minInterval) return undefined;
    try {
      await this.refresh();
    } catch (error) {
      // A key we already hold stays good while ms-auth is briefly unreachable: an expired
      // cache must not turn an auth outage into every service refusing every token.
      if (known) return known;
      throw error;
    }
    return this.keys.get(kid);
  }

  private refresh(): Promise<void> {
    // One fetch serves every request that arrives while it is in flight.
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    const response = await fetch(this.options.jwksUrl, {
      signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 3_000),
    }).catch((error: unknown) => {
      throw new InvalidTokenError(`key set unavailable: ${String(error)}`);
    });
    if (!response.ok) {
      // An unread body holds the connection until garbage collection.
      await response.body?.cancel().catch(() => undefined);
      throw new InvalidTokenError(`key set unavailable: HTTP ${response.status}`);
    }
    // A body that stalls past the timeout, is cut off or is not JSON is an unavailable key set too.
    const body: unknown = await response.json().catch((error: unknown) => {
      throw new InvalidTokenError(`key set unreadable: ${String(error)}`);
    });
    if (!isJwkList(body)) throw new InvalidTokenError('key set malformed');
    const next = new Map<string, CachedKey>();
    for (const jwk of body.keys) {
      if (typeof jwk.kid !== 'string' || typeof jwk.alg !== 'string') continue;
      if (!this.algorithms.includes(jwk.alg)) continue;
      const key = publicKeyOf(jwk);
      if (key) next.set(jwk.kid, { key, alg: jwk.alg });
    }
    this.keys = next;
    this.fetchedAt = Date.now();
  }
}

/** A key that does not parse is left out, like one of an algorithm we do not accept. */
function publicKeyOf(jwk: JsonWebKey): KeyObject | undefined {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return undefined;
  }
}

function toPrincipal(payload: jwt.JwtPayload): Principal {
  const clientId: unknown = payload['client_id'];
  const scope: unknown = payload['scope'];
  const role: unknown = payload['role'];
  const sessionId: unknown = payload['sid'];
  if (typeof payload.sub !== 'string' || typeof clientId !== 'string') {
    throw new InvalidTokenError('token lacks subject or client');
  }
  if (role !== undefined && !isRole(role)) throw new InvalidTokenError('unknown role');
  return {
    subject: payload.sub,
    kind: role === undefined ? 'service' : 'user',
    role,
    scopes: new Set(typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []),
    clientId,
    tokenId: payload.jti,
    issuedAt: payload.iat,
    sessionId: typeof sessionId === 'string' ? sessionId : undefined,
  };
}
