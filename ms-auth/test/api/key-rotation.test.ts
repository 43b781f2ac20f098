import assert from 'node:assert/strict';
import { JwksVerifier } from '@marketshare/platform';
import type { RowDataPacket } from '@marketshare/platform/mysql';
import { httpRequest } from '@marketshare/platform/testing';
import jwt from 'jsonwebtoken';
import { createKeyRing } from '../../src/bootstrap.js';
import { AUDIENCE, ISSUER, startAuthHarness, type AuthHarness } from '../support/auth-harness.js';
import { field, postForm, stringField } from '../support/oauth-client.js';

describe('ms-auth signing key rotation', () => {
  let auth: AuthHarness;

  before(async () => {
    auth = await startAuthHarness('ms_auth_rotation');
  });

  after(async () => {
    await auth.stop();
  });

  const serviceToken = async () =>
    stringField(
      await postForm(`${auth.url}/api/auth/token`, { grant_type: 'client_credentials' }, { as: 'ms-orders' }),
      'access_token',
    );
  const kidOf = (token: string) => jwt.decode(token, { complete: true })?.header.kid;
  const publishedKids = async () => {
    const keys = field(await httpRequest(`${auth.url}/.well-known/jwks.json`), 'keys');
    return Array.isArray(keys) ? keys.map((key: unknown) => Reflect.get(Object(key), 'kid')) : [];
  };

  it('stores the private key sealed, never in the clear', async () => {
    const [rows] = await auth.db.pool.query<RowDataPacket[]>('SELECT private_key_sealed FROM signing_keys');
    const sealed = rows[0]?.['private_key_sealed'];
    assert.ok(Buffer.isBuffer(sealed));
    const { d } = auth.keyRing.activeKey().privateKey.export({ format: 'jwk' });
    assert.ok(d);
    assert.equal(sealed.indexOf(Buffer.from(d, 'base64url')), -1);
  });

  it('keeps old tokens verifying after a rotation, and signs new ones with the new kid', async () => {
    const oldToken = await serviceToken();
    const oldKid = auth.keyRing.activeKey().kid;
    const newKid = await auth.keyRing.rotate();
    assert.notEqual(newKid, oldKid);

    assert.deepEqual((await publishedKids()).sort(), [oldKid, newKid].sort());
    const newToken = await serviceToken();
    assert.equal(kidOf(oldToken), oldKid);
    assert.equal(kidOf(newToken), newKid);

    const verifier = new JwksVerifier({
      jwksUrl: `${auth.url}/.well-known/jwks.json`,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    assert.equal((await verifier.verify(oldToken)).subject, 'ms-orders');
    assert.equal((await verifier.verify(newToken)).subject, 'ms-orders');
    const introspected = await postForm(
      `${auth.url}/api/auth/introspect`,
      { token: oldToken },
      { as: 'ms-orders' },
    );
    assert.equal(field(introspected, 'active'), true);
  });

  it('erases the superseded private key', async () => {
    const [rows] = await auth.db.pool.query<RowDataPacket[]>(
      'SELECT LENGTH(private_key_sealed) AS bytes FROM signing_keys WHERE superseded_at IS NOT NULL',
    );
    assert.ok(rows.length > 0);
    for (const row of rows) assert.equal(Number(row['bytes']), 0);
  });

  it('lets another instance pick the rotation up on reload', async () => {
    const otherInstance = createKeyRing(auth.db.pool, auth.config);
    await otherInstance.bootstrap();
    const before = otherInstance.activeKey().kid;
    const rotated = await auth.keyRing.rotate();
    assert.notEqual(before, rotated);
    await otherInstance.reload();
    assert.equal(otherInstance.activeKey().kid, rotated);
  });

  it('retires a superseded key from the JWKS once its tokens have expired', async () => {
    const retiring = (await publishedKids()).filter((kid) => kid !== auth.keyRing.activeKey().kid);
    assert.ok(retiring.length > 0);
    await auth.db.pool.query('UPDATE signing_keys SET publish_until = ? WHERE superseded_at IS NOT NULL', [
      new Date(Date.now() - 1000),
    ]);
    await auth.keyRing.reload();
    assert.deepEqual(await publishedKids(), [auth.keyRing.activeKey().kid]);
  });

  it('refuses to start with the wrong key-encryption secret', async () => {
    const wrongSecret = createKeyRing(auth.db.pool, {
      ...auth.config,
      AUTH_KEY_ENCRYPTION_SECRET: 'another-secret-0123456789',
    });
    await assert.rejects(wrongSecret.bootstrap(), /cannot decrypt signing key/);
  });
});
