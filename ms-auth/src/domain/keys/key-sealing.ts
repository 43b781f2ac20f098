import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

const FORMAT_VERSION = 1;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SIGNING_KEY_PURPOSE = 'marketshare ms-auth signing key v1';

/** Why a sealed value could not be opened. */
export class UnsealError extends Error {
  override readonly name = 'UnsealError';
  constructor(readonly reason: 'format' | 'decrypt') {
    super(reason === 'format' ? 'not in a known sealed format' : 'cannot decrypt');
  }
}

/**
 * AES-256-GCM for values ms-auth must keep secret at rest. Each value gets its own salt, so
 * its encryption key (HKDF-SHA256 of the configured secret) is unique; `purpose` goes into
 * the derivation, so a value sealed for one use never opens as another; `context` is
 * authenticated data, so a sealed value cannot be swapped onto another row.
 *
 * Layout: version (1) | salt (16) | iv (12) | tag (16) | ciphertext.
 */
export class SecretSealer {
  constructor(
    private readonly secret: string,
    private readonly purpose: string,
  ) {}

  seal(context: Buffer, plaintext: Buffer): Buffer {
    const salt = randomBytes(SALT_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey(salt), iv);
    cipher.setAAD(context);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_VERSION]), salt, iv, cipher.getAuthTag(), ciphertext]);
  }

  /** Throws UnsealError for another format, another secret, purpose or context, or tampering. */
  open(context: Buffer, sealed: Buffer): Buffer {
    if (sealed.length <= 1 + SALT_BYTES + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) {
      throw new UnsealError('format');
    }
    let offset = 1;
    const take = (length: number) => sealed.subarray(offset, (offset += length));
    const salt = take(SALT_BYTES);
    const iv = take(IV_BYTES);
    const tag = take(TAG_BYTES);
    const ciphertext = sealed.subarray(offset);
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey(salt), iv);
    decipher.setAAD(context);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new UnsealError('decrypt');
    }
  }

  private encryptionKey(salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', Buffer.from(this.secret, 'utf8'), salt, this.purpose, 32));
  }
}

/** Seals private signing keys (PKCS#8 DER) for storage; the kid is the authenticated context. */
export class KeySealer {
  private readonly sealer: SecretSealer;

  constructor(secret: string) {
    this.sealer = new SecretSealer(secret, SIGNING_KEY_PURPOSE);
  }

  seal(kid: string, privateKey: KeyObject): Buffer {
    return this.sealer.seal(Buffer.from(kid, 'utf8'), privateKey.export({ format: 'der', type: 'pkcs8' }));
  }

  unseal(kid: string, sealed: Buffer): KeyObject {
    let der: Buffer;
    try {
      der = this.sealer.open(Buffer.from(kid, 'utf8'), sealed);
    } catch (error) {
      if (error instanceof UnsealError && error.reason === 'format') {
        throw new Error(`signing key ${kid} is not in a known sealed format`);
      }
      throw new Error(
        `cannot decrypt signing key ${kid}: is AUTH_KEY_ENCRYPTION_SECRET the one it was sealed with?`,
      );
    }
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  }
}
