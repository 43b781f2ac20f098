/**
 * Authenticated encryption of small values for cookies: AES-256-GCM under a key derived from
 * SESSION_SECRET with HKDF-SHA256 (a separate key per purpose). A cookie that was changed,
 * truncated or sealed under another secret opens to null, never to a partial value.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealer {
  seal(value: unknown): string;
  /** The value, or null when the text is not something this sealer sealed. */
  unseal(text: string): unknown;
}

export function createSealer(secret: string, purpose: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'marketshare-frontend', `${purpose}:${VERSION}`, 32));
  // The purpose is bound as associated data too: a flash cookie cannot be replayed as a session.
  const aad = Buffer.from(`${purpose}:${VERSION}`);
  return {
    seal(value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    unseal(text) {
      if (!text.startsWith(`${VERSION}.`)) return null;
      const raw = Buffer.from(text.slice(VERSION.length + 1), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES + 1) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(aad);
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return JSON.parse(plain.toString('utf8'));
      } catch {
        return null;
      }
    },
  };
}
