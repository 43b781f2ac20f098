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
const HKDF_INFO = 'marketshare ms-auth signing key v1';

/**
 * Seals private signing keys for storage with AES-256-GCM. Each key gets its own salt, so
 * its encryption key (HKDF-SHA256 of the configured secret) is unique; the kid is
 * authenticated data, so a sealed key cannot be swapped onto another row.
 *
 * Layout: version (1) | salt (16) | iv (12) | tag (16) | ciphertext (PKCS#8 DER).
 */
export class KeySealer {
  constructor(private readonly secret: string) {}

  seal(kid: string, privateKey: KeyObject): Buffer {
    const salt = randomBytes(SALT_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey(salt), iv);
    cipher.setAAD(Buffer.from(kid, 'utf8'));
    const plaintext = privateKey.export({ format: 'der', type: 'pkcs8' });
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_VERSION]), salt, iv, cipher.getAuthTag(), ciphertext]);
  }

  unseal(kid: string, sealed: Buffer): KeyObject {
    if (sealed.length <= 1 + SALT_BYTES + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) {
      throw new Error(`signing key ${kid} is not in a known sealed format`);
    }
    let offset = 1;
    const take = (length: number) => sealed.subarray(offset, (offset += length));
    const salt = take(SALT_BYTES);
    const iv = take(IV_BYTES);
    const tag = take(TAG_BYTES);
    const ciphertext = sealed.subarray(offset);
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey(salt), iv);
    decipher.setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(tag);
    let der: Buffer;
    try {
      der = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new Error(
        `cannot decrypt signing key ${kid}: is AUTH_KEY_ENCRYPTION_SECRET the one it was sealed with?`,
      );
    }
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  }

  private encryptionKey(salt: Buffer): Buffer {
    return Buffer.from(hkdfSync('sha256', Buffer.from(this.secret, 'utf8'), salt, HKDF_INFO, 32));
  }
}
