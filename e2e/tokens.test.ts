/**
 * A new consumer registers through the gateway and gets the welcome email; password login, refresh
 * rotation with reuse detection, concurrent refreshes, logout and introspection.
 */
import assert from 'node:assert/strict';
import { ClientCredentialsTokenSource, JwksVerifier } from '@marketshare/platform';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import { field, type TokenPair } from './support/gateway-client.js';
import { e2eWorld, PASSWORD, type World } from './support/world.js';

/** One message as maildev's REST API (GET /email) lists it. */
interface SinkMail {
  to: { address: string }[];
  subject: string;
  text?: string;
}

describe('end to end: registration, login and tokens through the gateway', function () {
  this.timeout(60_000);
  let w: World;
  let stack: World['stack'];
  let gateway: World['gateway'];
  let signer: World['signer'];
  const registered = (role?: 'seller' | 'consumer') => w.register(role);

  before(async function () {
    this.timeout(300_000);
    w = await e2eWorld();
    ({ stack, gateway, signer } = w);
  });

  describe('registration', () => {
    it('registers a consumer and delivers a welcome email with the right recipient and company', async () => {
      const account = await registered('consumer');
      const mail = await waitFor(
        async () => {
          const response = await httpRequest(`${stack.info.urls.smtpWeb}/email`);
          const list = Array.isArray(response.body) ? (response.body as SinkMail[]) : []; // maildev's REST API shape
          return list.find((m) => m.to.some((to) => to.address === account.email));
        },
        { timeoutMs: 30_000, what: 'the welcome email in the SMTP sink' },
      );
      assert.match(`${mail.subject}\n${mail.text ?? ''}`, new RegExp(account.companyName));
    });
  });

  describe('password login and tokens', () => {
    let account: Awaited<ReturnType<typeof registered>>;
    before(async () => {
      account = await registered('consumer');
    });

    it('returns access and refresh tokens; the access token verifies against the JWKS', async () => {
      const response = await gateway.login(account.username, PASSWORD);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const tokens = response.body as TokenPair; // checked field by field below
      assert.equal(tokens.token_type, 'Bearer');
      assert.ok(tokens.refresh_token.length >= 22);
      const verifier = new JwksVerifier({
        jwksUrl: `${stack.info.urls.gateway}/.well-known/jwks.json`,
        issuer: stack.info.serviceEnv['ms-auth']?.['AUTH_ISSUER'] ?? '',
        audience: 'marketshare-api',
      });
      const principal = await verifier.verify(tokens.access_token);
      assert.equal(principal.subject, account.id);
      assert.equal(principal.role, 'consumer');
      const me = await gateway.call('/api/users/me', { token: tokens.access_token });
      assert.equal(me.status, 200);
      assert.equal(field(me.body, 'username'), account.username);
    });

    it('rotates refresh tokens; a replay within the grace gets the same successor, a later one kills the family', async () => {
      const first = await gateway.loginTokens(account.username, PASSWORD);
      const refresh = (token: string) =>
        gateway.oauth('token', { grant_type: 'refresh_token', refresh_token: token });
      const rotated = await refresh(first.refresh_token);
      assert.equal(rotated.status, 200, rotated.text);
      const second = rotated.body as TokenPair; // a token response
      assert.notEqual(second.refresh_token, first.refresh_token);
      // Within REFRESH_REUSE_GRACE_SECONDS: a parallel request of the same session, not a thief.
      const graceReplay = await refresh(first.refresh_token);
      assert.equal(graceReplay.status, 200, graceReplay.text);
      assert.equal(field(graceReplay.body, 'refresh_token'), second.refresh_token);
      // Once the successor was rotated further, the first token is reuse: the family dies.
      const third = await refresh(second.refresh_token);
      assert.equal(third.status, 200, third.text);
      const replay = await refresh(first.refresh_token);
      assert.equal(replay.status, 400);
      assert.equal(field(replay.body, 'error'), 'invalid_grant');
      const newest = await refresh(String(field(third.body, 'refresh_token')));
      assert.equal(newest.status, 400);
      assert.equal(field(newest.body, 'error'), 'invalid_grant');
    });

    it('gives two concurrent refreshes of one token the same successor', async () => {
      const tokens = await gateway.loginTokens(account.username, PASSWORD);
      const form = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token };
      const results = await Promise.all([gateway.oauth('token', form), gateway.oauth('token', form)]);
      assert.deepEqual(
        results.map((r) => r.status),
        [200, 200],
      );
      assert.equal(field(results[0]?.body, 'refresh_token'), field(results[1]?.body, 'refresh_token'));
    });

    it('logs out by revocation; introspection then says inactive, and needs client authentication', async () => {
      const tokens = await gateway.loginTokens(account.username, PASSWORD);
      const activeBefore = await gateway.oauth('introspect', { token: tokens.access_token });
      assert.equal(field(activeBefore.body, 'active'), true);
      assert.equal((await gateway.oauth('revoke', { token: tokens.refresh_token })).status, 200);
      assert.equal((await gateway.oauth('revoke', { token: tokens.access_token })).status, 200);
      const refresh = await gateway.oauth('token', {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      assert.equal(field(refresh.body, 'error'), 'invalid_grant');
      for (const token of [tokens.access_token, tokens.refresh_token]) {
        const introspection = await gateway.oauth('introspect', { token });
        assert.deepEqual(introspection.body, { active: false });
      }
      const expired = signer.sign(
        { sub: account.id, role: 'consumer' },
        { exp: Math.floor(Date.now() / 1000) - 60 },
      );
      assert.deepEqual((await gateway.oauth('introspect', { token: expired })).body, { active: false });
      const anonymous = await gateway.oauth(
        'introspect',
        { token: tokens.access_token },
        { clientAuth: false },
      );
      assert.equal(anonymous.status, 401);
    });
    it('issues client-credentials tokens to services, limited to their scopes', async () => {
      const { info } = stack;
      const tokens = new ClientCredentialsTokenSource({
        tokenUrl: `${info.urls.gateway}/api/auth/token`,
        clientId: 'ms-orders',
        clientSecret: info.secrets['CLIENT_SECRET_MS_ORDERS'] ?? '',
        scope: 'stock:reserve',
      });
      const verifier = new JwksVerifier({
        jwksUrl: `${info.urls.gateway}/.well-known/jwks.json`,
        issuer: info.serviceEnv['ms-auth']?.['AUTH_ISSUER'] ?? '',
        audience: 'marketshare-api',
      });
      const principal = await verifier.verify(await tokens.getToken());
      assert.equal(principal.kind, 'service');
      assert.equal(principal.clientId, 'ms-orders');
      assert.deepEqual([...principal.scopes], ['stock:reserve']);
      const widened = new ClientCredentialsTokenSource({
        tokenUrl: `${info.urls.gateway}/api/auth/token`,
        clientId: 'ms-orders',
        clientSecret: info.secrets['CLIENT_SECRET_MS_ORDERS'] ?? '',
        scope: 'users:verify_credentials',
      });
      await assert.rejects(widened.getToken());
    });
  });
});
