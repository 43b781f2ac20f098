import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are long random strings, so a fast hash is enough to keep them out of the
 * database in the clear, and it keeps client authentication cheap under load.
 */
export function hashClientSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time: comparing digests of equal length never short-circuits on content. */
export function secretMatches(presented: string, storedHash: Buffer): boolean {
  const presentedHash = hashClientSecret(presented);
  return presentedHash.length === storedHash.length && timingSafeEqual(presentedHash, storedHash);
}
