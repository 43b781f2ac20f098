import { SecretSealer, UnsealError } from '../keys/key-sealing.js';

const SUCCESSOR_PURPOSE = 'marketshare ms-auth refresh successor v1';

/**
 * Keeps a rotated refresh token's successor recoverable for the reuse grace only, sealed
 * with the same key-encryption secret as the signing keys (its own HKDF purpose). The
 * rotated token's hash is the authenticated context, so a sealed successor opens only on
 * the row it was written to.
 */
export class SuccessorSealer {
  private readonly sealer: SecretSealer;

  constructor(keyEncryptionSecret: string) {
    this.sealer = new SecretSealer(keyEncryptionSecret, SUCCESSOR_PURPOSE);
  }

  seal(rotatedTokenHash: Buffer, successor: string): Buffer {
    return this.sealer.seal(rotatedTokenHash, Buffer.from(successor, 'utf8'));
  }

  /** The successor, or undefined when this secret and row cannot open it (nothing to hand back). */
  open(rotatedTokenHash: Buffer, sealed: Buffer): string | undefined {
    try {
      return this.sealer.open(rotatedTokenHash, sealed).toString('utf8');
    } catch (error) {
      if (error instanceof UnsealError) return undefined;
      throw error;
    }
  }
}
