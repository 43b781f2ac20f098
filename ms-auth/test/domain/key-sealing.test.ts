import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { KeySealer, SecretSealer, UnsealError } from '../../src/domain/keys/key-sealing.js';
import { SuccessorSealer } from '../../src/domain/tokens/successor-sealing.js';

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

  it('keeps purposes apart: a value sealed for one use never opens as another', () => {
    const context = Buffer.from('row-1');
    const sealed = new SecretSealer('a-secret-of-enough-length', 'purpose one').seal(
      context,
      Buffer.from('x'),
    );
    assert.throws(
      () => new SecretSealer('a-secret-of-enough-length', 'purpose two').open(context, sealed),
      (error) => error instanceof UnsealError && error.reason === 'decrypt',
    );
  });

  it('opens a sealed refresh successor only on its own row and with its own secret', () => {
    const successors = new SuccessorSealer('a-secret-of-enough-length');
    const row = Buffer.alloc(32, 1);
    const sealed = successors.seal(row, 'the-successor-token');
    assert.equal(successors.open(row, sealed), 'the-successor-token');
    assert.equal(successors.open(Buffer.alloc(32, 2), sealed), undefined);
    assert.equal(new SuccessorSealer('another-secret-of-length').open(row, sealed), undefined);
    assert.equal(successors.open(row, Buffer.alloc(3)), undefined);
  });
});
