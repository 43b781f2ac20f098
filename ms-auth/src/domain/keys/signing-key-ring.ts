import { createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type {
  NewSigningKey,
  SigningKeysRepository,
  StoredPublicKey,
} from '../../store/signing-keys-repository.js';
import type { KeySealer } from './key-sealing.js';

export const SIGNING_ALGORITHM = 'ES256';

/** A public key as published in the JWKS (RFC 7517). */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof SIGNING_ALGORITHM;
  use: 'sig';
}

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

interface PublishedKey {
  jwk: PublicJwk;
  publicKey: KeyObject;
}

const generateEcKeyPair = promisify(generateKeyPair);

function readJwk(kid: string, stored: string): PublicJwk {
  const parsed: unknown = JSON.parse(stored);
  const field = (name: string): unknown =>
    typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, name) : undefined;
  const x = field('x');
  const y = field('y');
  if (field('kty') !== 'EC' || field('crv') !== 'P-256' || typeof x !== 'string' || typeof y !== 'string') {
    throw new Error(`signing key ${kid} has an unexpected public key`);
  }
  return { kty: 'EC', crv: 'P-256', x, y, kid, alg: SIGNING_ALGORITHM, use: 'sig' };
}

function toPublished(stored: StoredPublicKey): PublishedKey | undefined {
  // Keys of another algorithm (a future migration) are neither published nor trusted here.
  if (stored.alg !== SIGNING_ALGORITHM) return undefined;
  const jwk = readJwk(stored.kid, stored.publicJwk);
  return {
    jwk,
    publicKey: createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' }),
  };
}

export interface SigningKeyRingOptions {
  /**
   * How long a superseded key stays published: at least the access-token lifetime plus the
   * time other instances may keep signing with it before they reload.
   */
  retireAfterSeconds: number;
  /** An unknown kid triggers a reload at most this often, so forged kids cannot flood the database. */
  minReloadIntervalMs?: number;
}

/**
 * The ES256 keys: the one that signs (its private key decrypted in memory only) and every
 * key still published for verifiers. Kept in MySQL so every instance signs with the same key.
 */
export class SigningKeyRing {
  private active: ActiveSigningKey | undefined;
  private published = new Map<string, PublishedKey>();
  private loadedAt = 0;

  constructor(
    private readonly keys: SigningKeysRepository,
    private readonly sealer: KeySealer,
    private readonly options: SigningKeyRingOptions,
  ) {}

  /** Creates the first key when there is none, then loads the keys. */
  async bootstrap(): Promise<void> {
    if (!(await this.keys.findActive())) await this.keys.insertUnlessActive(await this.newKey(new Date()));
    await this.reload();
  }

  /**
   * A new key signs from now on; the previous one stays published until the tokens it signed
   * have expired. Returns the new kid.
   */
  async rotate(): Promise<string> {
    const key = await this.newKey(new Date());
    const publishUntil = new Date(key.createdAt.getTime() + this.options.retireAfterSeconds * 1000);
    await this.keys.rotateTo(key, publishUntil);
    await this.reload();
    return key.kid;
  }

  async reload(): Promise<void> {
    const now = new Date();
    const [active, published] = await Promise.all([this.keys.findActive(), this.keys.findPublished(now)]);
    const next = new Map<string, PublishedKey>();
    for (const stored of published) {
      const key = toPublished(stored);
      if (key) next.set(stored.kid, key);
    }
    if (active && active.kid !== this.active?.kid) {
      this.active = { kid: active.kid, privateKey: this.sealer.unseal(active.kid, active.privateKeySealed) };
    }
    this.published = next;
    this.loadedAt = now.getTime();
  }

  hasActiveKey(): boolean {
    return this.active !== undefined;
  }

  activeKey(): ActiveSigningKey {
    if (!this.active) throw new Error('no active signing key: bootstrap() was not run');
    return this.active;
  }

  /** The public key for a kid; an unknown kid may mean another instance rotated, so reload once. */
  async verificationKey(kid: string): Promise<KeyObject | undefined> {
    const known = this.published.get(kid);
    if (known) return known.publicKey;
    if (Date.now() - this.loadedAt < (this.options.minReloadIntervalMs ?? 5_000)) return undefined;
    await this.reload();
    return this.published.get(kid)?.publicKey;
  }

  publishedJwks(): { keys: PublicJwk[] } {
    return { keys: [...this.published.values()].map((key) => key.jwk) };
  }

  private async newKey(createdAt: Date): Promise<NewSigningKey> {
    const { publicKey, privateKey } = await generateEcKeyPair('ec', { namedCurve: 'P-256' });
    const kid = randomBytes(16).toString('base64url');
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    return {
      kid,
      alg: SIGNING_ALGORITHM,
      publicJwk: JSON.stringify({ kty, crv, x, y }),
      privateKeySealed: this.sealer.seal(kid, privateKey),
      createdAt,
    };
  }
}
