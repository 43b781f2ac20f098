import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { KeySealer } from '../../src/domain/keys/key-sealing.js';

describe('ms-auth key sealing', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sealer = new KeySealer('a-secret-of-enough-length');

  it('round-trips a private key', () => {
    const sealed = sealer.seal('kid-1', privateKey);
    const opened = sealer.unseal('kid-1', sealed);
    assert.deepEqual(opened.export({ format: 'jwk' }), privateKey.export({ format: 'jwk' }));
  });

  it('seals the same key differently each time (fresh salt and IV)', () => {
    assert.notDeepEqual(sealer.seal('kid-1', privateKey), sealer.seal('kid-1', privateKey));
  });

  it('refuses another secret, another kid, and tampering', () => {
    const sealed = sealer.seal('kid-1', privateKey);
    assert.throws(() => new KeySealer('another-secret-of-length').unseal('kid-1', sealed), /cannot decrypt/);
    assert.throws(() => sealer.unseal('kid-2', sealed), /cannot decrypt/);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    assert.throws(() => sealer.unseal('kid-1', tampered), /cannot decrypt/);
    assert.throws(() => sealer.unseal('kid-1', Buffer.alloc(0)), /not in a known sealed format/);
  });
});
