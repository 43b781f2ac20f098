/**
 * Every protected route refuses bad tokens (401 + WWW-Authenticate) and the wrong role (403);
 * credential checks do not tell unknown users from wrong passwords and throttle repeated failures.
 */
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import type { RowDataPacket } from '@marketshare/platform/mysql';
import { waitFor } from '@marketshare/platform/testing';
import { field } from './support/gateway-client.js';
import { e2eWorld, PASSWORD, type World } from './support/world.js';

const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** One JWT segment (header or claims) as an object, to rebuild a forged token from a real one. */
function decodeSegment(segment: string | undefined): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString());
  if (typeof value !== 'object' || value === null) throw new Error('JWT segment is not an object');
  return { ...value };
}

const encodeSegment = (value: object) => base64url(JSON.stringify(value));

describe('end to end: access control through the gateway', function () {
  this.timeout(60_000);
  let w: World;
  let gateway: World['gateway'];
  let signer: World['signer'];
  const registered = (role?: 'seller' | 'consumer') => w.register(role);
  const uniqueAccount = (role?: 'seller' | 'consumer') => w.newAccount(role);

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    ({ gateway, signer } = w);
  });

  describe('protected routes refuse bad tokens', () => {
    let consumer: Awaited<ReturnType<typeof registered>>;
    let goodToken = '';
    before(async () => {
      consumer = await registered('consumer');
      goodToken = (await gateway.loginTokens(consumer.username, PASSWORD)).access_token;
    });

    const routes = [
      { method: 'GET', path: () => '/api/users/me' },
      { method: 'PATCH', path: () => '/api/users/me', json: { displayName: 'Changed' } },
      { method: 'DELETE', path: () => '/api/users/me' },
      { method: 'POST', path: () => `/api/users/${consumer.id}/deactivate`, json: { reason: 'test' } },
    ];

    const badTokens: Record<string, () => string | undefined> = {
      'no token': () => undefined,
      expired: () =>
        signer.sign({ sub: consumer.id, role: 'admin' }, { exp: Math.floor(Date.now() / 1000) - 120 }),
      'wrong aud': () => signer.sign({ sub: consumer.id, role: 'admin' }, { aud: 'another-api' }),
      'wrong iss': () =>
        signer.sign({ sub: consumer.id, role: 'admin' }, { iss: 'http://127.0.0.1:1/elsewhere' }),
      'alg none': () => {
        const [header, payload] = goodToken.split('.');
        return `${encodeSegment({ ...decodeSegment(header), alg: 'none' })}.${payload}.`;
      },
      'HS256 signed with the public key': () => {
        const [headerPart, payload] = goodToken.split('.');
        const kid = String(decodeSegment(headerPart)['kid']);
        const forgedHeader = encodeSegment({ alg: 'HS256', typ: 'at+jwt', kid });
        const signature = createHmac('sha256', publicKeyPems.get(kid) ?? '')
          .update(`${forgedHeader}.${payload}`)
          .digest('base64url');
        return `${forgedHeader}.${payload}.${signature}`;
      },
      'altered payload': () => {
        const [header, payload, signature] = goodToken.split('.');
        return `${header}.${encodeSegment({ ...decodeSegment(payload), role: 'admin' })}.${signature}`;
      },
      'unknown kid': () => {
        const [headerPart, payload, signature] = goodToken.split('.');
        return `${encodeSegment({ ...decodeSegment(headerPart), kid: 'no-such-key' })}.${payload}.${signature}`;
      },
    };
    const publicKeyPems = new Map<string, string>();

    before(async () => {
      const jwks = await gateway.call('/.well-known/jwks.json');
      // A vulnerable verifier would use the PEM public key as the HMAC secret.
      // The JWKS document's shape is checked by ms-auth's own tests.
      for (const key of (field(jwks.body, 'keys') ?? []) as (JsonWebKey & { kid: string })[]) {
        const pem = createPublicKey({ key, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
        publicKeyPems.set(key.kid, pem.toString());
      }
    });

    for (const [name, makeToken] of Object.entries(badTokens)) {
      it(`answers 401 with WWW-Authenticate for ${name}`, async () => {
        for (const route of routes) {
          const response = await gateway.call(route.path(), {
            method: route.method,
            token: makeToken(),
            json: route.json,
          });
          assert.equal(response.status, 401, `${route.method} ${route.path()}: ${response.text}`);
          assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
        }
        const still = await gateway.call('/api/users/me', { token: goodToken });
        assert.equal(field(still.body, 'displayName'), null, 'nothing changed');
      });
    }

    it('answers 403 for the wrong role', async () => {
      const other = await registered('seller');
      const response = await gateway.call(`/api/users/${other.id}/deactivate`, {
        method: 'POST',
        token: goodToken,
        json: { reason: 'not allowed' },
      });
      assert.equal(response.status, 403);
    });
  });

  describe('credentials', () => {
    it('gives identical answers for an unknown user and a wrong password', async () => {
      const account = await registered();
      const wrong = await gateway.login(account.username, 'not the password at all');
      const unknown = await gateway.login(`nobody_${randomUUID().slice(0, 8)}`, 'not the password at all');
      assert.equal(wrong.status, 400);
      assert.equal(unknown.status, wrong.status);
      assert.equal(unknown.text, wrong.text);
    });

    it('throttles repeated failures with 429 and Retry-After, then lets the owner back in', async () => {
      const account = await registered();
      for (let attempt = 0; attempt < 3; attempt += 1)
        await gateway.login(account.username, 'wrong password!!');
      const throttled = await gateway.login(account.username, PASSWORD);
      assert.equal(throttled.status, 429, throttled.text);
      assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
      await waitFor(async () => (await gateway.login(account.username, PASSWORD)).status === 200, {
        timeoutMs: 15_000,
        intervalMs: 1_000,
        what: 'the lock to expire',
      });
    });

    it('refuses passwords over 72 bytes instead of truncating, and stores cost ≥ 12 hashes', async () => {
      const account = uniqueAccount();
      const tooLong = await gateway.register({ ...account, password: `${'é'.repeat(36)}x` });
      assert.equal(tooLong.status, 400);
      assert.match(tooLong.text, /password/);
      const created = await registered();
      const [rows] = await w.usersDb.query<RowDataPacket[]>(
        'SELECT password_hash FROM accounts WHERE id = ?',
        [created.id],
      );
      const cost = Number(/^\$2[aby]\$(\d\d)\$/.exec(String(rows[0]?.['password_hash']))?.[1]);
      assert.ok(cost >= 12, `bcrypt cost ${cost}`);
    });
  });
});
