import assert from 'node:assert/strict';
import bcrypt from 'bcrypt';
import { DomainError } from '../../src/domain/errors.js';
import { PasswordHasher, assertAcceptablePassword } from '../../src/domain/passwords.js';

function refusalCode(password: string, accountWords?: string[]): string | undefined {
  try {
    assertAcceptablePassword(password, 'password', accountWords ? { accountWords } : {});
    return undefined;
  } catch (error) {
    assert.ok(error instanceof DomainError);
    assert.equal(error.field, 'password');
    return error.code;
  }
}

describe('password policy', () => {
  it('refuses fewer than 8 characters and accepts 8', () => {
    assert.equal(refusalCode('zq3!vk7'), 'password_too_short');
    assert.equal(refusalCode('zq3!vk7m'), undefined);
  });

  it('counts characters, not bytes or UTF-16 units, for the minimum', () => {
    assert.equal(refusalCode('🦊🦊🦊🦊🦊🦊🦊'), 'password_too_short');
    assert.equal(refusalCode('🦊🦊🦊🦊🦊🦊🦊🦊'), undefined);
  });

  it('accepts exactly 72 UTF-8 bytes and refuses 73, multibyte characters included', () => {
    assert.equal(refusalCode('k'.repeat(72)), undefined);
    assert.equal(refusalCode('k'.repeat(73)), 'password_too_long');
    // é is 2 bytes: 36 of them are 72 bytes, one more ASCII letter makes 73.
    assert.equal(refusalCode('é'.repeat(36)), undefined);
    assert.equal(refusalCode(`${'é'.repeat(36)}x`), 'password_too_long');
    assert.equal(refusalCode('🦊'.repeat(18)), undefined);
    assert.equal(refusalCode(`${'🦊'.repeat(18)}x`), 'password_too_long');
  });

  it('refuses common passwords whatever their case, and has no composition rules', () => {
    assert.equal(refusalCode('password'), 'password_too_common');
    assert.equal(refusalCode('PassWord1'), 'password_too_common');
    assert.equal(refusalCode('iloveyou'), 'password_too_common');
    assert.equal(refusalCode('correct horse battery staple'), undefined);
    assert.equal(refusalCode('alllowercaseletters'), undefined);
  });

  it('refuses the account’s own username or email, and NUL characters', () => {
    assert.equal(refusalCode('Acme.Trading', ['acme.trading', 'x@y.example']), 'password_too_common');
    assert.equal(refusalCode('abc\u0000defghij'), 'password_invalid');
  });
});

describe('PasswordHasher', () => {
  // The cost only matters for production hashes; 4 keeps this fast.
  const hasher = new PasswordHasher(4);

  it('verifies the right password and refuses a wrong one or a missing account', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    assert.equal(await hasher.verifyOrDummy('correct horse battery staple', hash), true);
    assert.equal(await hasher.verifyOrDummy('wrong horse battery staple', hash), false);
    assert.equal(await hasher.verifyOrDummy('correct horse battery staple', undefined), false);
  });

  it('never lets a password longer than 72 bytes match on its first 72 bytes', async () => {
    const stored = 'y'.repeat(72);
    const hash = await bcrypt.hash(stored, 4);
    assert.equal(await hasher.verifyOrDummy(stored, hash), true);
    assert.equal(await hasher.verifyOrDummy(`${stored}extra`, hash), false);
  });

  it('asks for a rehash when a stored hash is cheaper than the configured cost', async () => {
    assert.equal(hasher.needsRehash(await bcrypt.hash('something long', 4)), false);
    assert.equal(new PasswordHasher(12).needsRehash(await bcrypt.hash('something long', 4)), true);
  });
});
