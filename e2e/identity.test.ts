/**
 * The foundation's acceptance, end to end: a whole isolated stack (started by the same code as
 * `npm start`) driven only through the HAProxy gateway, with the welcome email read back from
 * the stack's SMTP sink.
 */
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { JwksVerifier } from '@marketshare/platform';
import { createMysqlPool, type Pool, type RowDataPacket } from '@marketshare/platform/mysql';
import { httpRequest, waitFor } from '@marketshare/platform/testing';
import { GatewayClient, field, seenResponses, type TokenPair } from './support/gateway-client.js';
import { startIsolatedStack, type IsolatedStack } from './support/isolated-stack.js';
import { RealKeySigner } from './support/real-signer.js';

const PASSWORD = 'correct horse battery staple';
const base64url = (value: string) => Buffer.from(value).toString('base64url');

interface SinkMail {
  to: { address: string }[];
  subject: string;
  text?: string;
  html?: string;
}

function mysqlRootUrl(serviceUrl: string): string {
  const url = new URL(serviceUrl);
  return `mysql://root@127.0.0.1:3306${url.pathname}`;
}

describe('end to end: identity through the gateway', function () {
  this.timeout(60_000);
  let stack: IsolatedStack;
  let gateway: GatewayClient;
  let signer: RealKeySigner;
  let usersDb: Pool;
  let seq = 0;

  const uniqueAccount = (role: 'seller' | 'consumer' = 'consumer') => {
    seq += 1;
    const tag = `${randomUUID().slice(0, 8)}${seq}`;
    return {
      role,
      username: `user_${tag}`,
      email: `${tag}@buyer.test`,
      companyName: `Company ${tag} GmbH`,
      password: PASSWORD,
    };
  };

  async function registered(role: 'seller' | 'consumer' = 'consumer') {
    const account = uniqueAccount(role);
    const response = await gateway.register(account);
    assert.equal(response.status, 201, response.text);
    return { ...account, id: String(field(response.body, 'id')) };
  }

  const countAccounts = async () => {
    const [rows] = await usersDb.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM accounts');
    return Number(rows[0]?.['n']);
  };

  before(async function () {
    this.timeout(300_000);
    stack = await startIsolatedStack({
      REGISTER_RATE_LIMIT_PER_HOUR: '1000',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_LOCK_INITIAL_SECONDS: '2',
      LOGIN_LOCK_MAX_SECONDS: '4',
    });
    const { info } = stack;
    gateway = new GatewayClient(info.urls.gateway, info.secrets['CLIENT_SECRET_FRONTEND'] ?? '');
    const authEnv = info.serviceEnv['ms-auth'] ?? {};
    signer = await RealKeySigner.open({
      mysqlUrl: authEnv['MYSQL_URL'] ?? '',
      keyEncryptionSecret: authEnv['AUTH_KEY_ENCRYPTION_SECRET'] ?? '',
      issuer: authEnv['AUTH_ISSUER'] ?? '',
      audience: authEnv['AUTH_AUDIENCE'] ?? 'marketshare-api',
    });
    usersDb = createMysqlPool(mysqlRootUrl(info.serviceEnv['ms-users']?.['MYSQL_URL'] ?? ''), {
      connectionLimit: 2,
    });
  });

  after(async function () {
    this.timeout(120_000);
    await signer?.close().catch(() => undefined);
    await usersDb?.end().catch(() => undefined);
    await stack?.stop();
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

    it('rotates refresh tokens; replaying a used one fails and kills its successor', async () => {
      const first = await gateway.loginTokens(account.username, PASSWORD);
      const rotated = await gateway.oauth('token', {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
      });
      assert.equal(rotated.status, 200, rotated.text);
      const second = rotated.body as TokenPair; // a token response
      assert.notEqual(second.refresh_token, first.refresh_token);
      const replay = await gateway.oauth('token', {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
      });
      assert.equal(replay.status, 400);
      assert.equal(field(replay.body, 'error'), 'invalid_grant');
      const successor = await gateway.oauth('token', {
        grant_type: 'refresh_token',
        refresh_token: second.refresh_token,
      });
      assert.equal(successor.status, 400);
      assert.equal(field(successor.body, 'error'), 'invalid_grant');
    });

    it('gives exactly one success to two concurrent refreshes of one token', async () => {
      const tokens = await gateway.loginTokens(account.username, PASSWORD);
      const form = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token };
      const results = await Promise.all([gateway.oauth('token', form), gateway.oauth('token', form)]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 400]);
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
        const [, payload] = goodToken.split('.');
        const header = JSON.parse(
          Buffer.from(goodToken.split('.')[0] ?? '', 'base64url').toString(),
        ) as object;
        return `${base64url(JSON.stringify({ ...header, alg: 'none' }))}.${payload}.`;
      },
      'HS256 signed with the public key': () => {
        const [headerPart, payload] = goodToken.split('.');
        const header = JSON.parse(Buffer.from(headerPart ?? '', 'base64url').toString()) as { kid: string };
        const forgedHeader = base64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: header.kid }));
        const publicJwkText = jwksCache.get(header.kid) ?? '';
        const signature = createHmac('sha256', publicJwkText)
          .update(`${forgedHeader}.${payload}`)
          .digest('base64url');
        return `${forgedHeader}.${payload}.${signature}`;
      },
      'altered payload': () => {
        const [header, payload, signature] = goodToken.split('.');
        const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
          string,
          unknown
        >;
        return `${header}.${base64url(JSON.stringify({ ...claims, role: 'admin' }))}.${signature}`;
      },
      'unknown kid': () => {
        const [headerPart, payload, signature] = goodToken.split('.');
        const header = JSON.parse(Buffer.from(headerPart ?? '', 'base64url').toString()) as object;
        return `${base64url(JSON.stringify({ ...header, kid: 'no-such-key' }))}.${payload}.${signature}`;
      },
    };
    const jwksCache = new Map<string, string>();

    before(async () => {
      const jwks = await gateway.call('/.well-known/jwks.json');
      // A vulnerable verifier would use the PEM public key as the HMAC secret.
      for (const key of (field(jwks.body, 'keys') ?? []) as (JsonWebKey & { kid: string })[]) {
        const pem = createPublicKey({ key, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
        jwksCache.set(key.kid, pem.toString());
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
      const [rows] = await usersDb.query<RowDataPacket[]>('SELECT password_hash FROM accounts WHERE id = ?', [
        created.id,
      ]);
      const cost = Number(/^\$2[aby]\$(\d\d)\$/.exec(String(rows[0]?.['password_hash']))?.[1]);
      assert.ok(cost >= 12, `bcrypt cost ${cost}`);
    });
  });

  describe('bad input through the gateway changes nothing', () => {
    const cases: Record<string, { body: string; status: number; field?: string }> = {
      'malformed JSON': { body: '{"role":', status: 400 },
      'wrong type': {
        body: JSON.stringify({
          role: 'consumer',
          companyName: 5,
          username: 'abc_def',
          email: 'a@b.test',
          password: PASSWORD,
        }),
        status: 400,
        field: 'companyName',
      },
      'missing field': {
        body: JSON.stringify({
          role: 'consumer',
          username: 'abc_def',
          email: 'a@b.test',
          password: PASSWORD,
        }),
        status: 400,
        field: 'companyName',
      },
      'unknown field': {
        body: JSON.stringify({
          ...{
            role: 'consumer',
            companyName: 'X',
            username: 'abc_def',
            email: 'a@b.test',
            password: PASSWORD,
          },
          isAdmin: true,
        }),
        status: 400,
        field: 'isAdmin',
      },
      'body over 1 MB': { body: JSON.stringify({ companyName: 'x'.repeat(1_100_000) }), status: 413 },
    };
    for (const [name, testCase] of Object.entries(cases)) {
      it(name, async () => {
        const before = await countAccounts();
        const response = await gateway.call('/api/users', {
          method: 'POST',
          body: testCase.body,
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(response.status, testCase.status, response.text);
        if (testCase.field) {
          assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
          const fields = ((field(response.body, 'errors') ?? []) as { field: string }[]).map((e) => e.field);
          assert.ok(fields.includes(testCase.field), `fields: ${fields.join(', ')}`);
        }
        assert.equal(await countAccounts(), before);
      });
    }
  });

  describe('the gateway and observability (after the flows above)', () => {
    it('never routes /internal/ or /metrics', async () => {
      for (const path of [
        '/internal/users/verify-credentials',
        '/api/users/../internal/users/x',
        '/metrics',
        '/METRICS',
        '/api/users/metrics/../../metrics',
      ]) {
        const response = await gateway.call(path, {
          method: path.includes('verify') ? 'POST' : 'GET',
          json: path.includes('verify') ? { username: 'a', password: 'b' } : undefined,
        });
        assert.equal(response.status, 404, `${path}: ${response.status}`);
        assert.doesNotMatch(response.text, /valid|http_server_request_duration_seconds/);
      }
    });

    it('exposes the request-duration histogram by route template on every service', async () => {
      for (const [name, url] of Object.entries(stack.info.urls.services)) {
        const metrics = await httpRequest(`${url}/metrics`);
        assert.equal(metrics.status, 200, name);
        assert.match(metrics.text, /http_server_request_duration_seconds_bucket\{/, name);
        assert.doesNotMatch(metrics.text, /route="\/api\/users\/[0-9a-f]{8}-/, `${name} labels raw paths`);
      }
      const users = await httpRequest(`${stack.info.urls.services['ms-users']}/metrics`);
      assert.match(users.text, /route="\/api\/users\/me"/);
    });

    it('is scraped by Prometheus: every service, HAProxy and RabbitMQ are up', async () => {
      const targets = await waitFor(
        async () => {
          const response = await httpRequest(`${stack.info.urls.prometheus}/api/v1/targets?state=active`);
          const active = (field(field(response.body, 'data'), 'activeTargets') ?? []) as {
            labels: { job: string };
            health: string;
          }[];
          const healthy = active.filter((t) => t.health === 'up').map((t) => t.labels.job);
          return active.length > 0 && active.every((t) => t.health === 'up') ? healthy : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 1_000, what: 'every Prometheus target to be up' },
      );
      for (const service of stack.info.services)
        assert.ok(
          targets.some((job) => job.includes(service)),
          `${service} scraped`,
        );
    });

    it('never returned a password hash in any response', () => {
      assert.ok(seenResponses.length > 20);
      for (const text of seenResponses) assert.doesNotMatch(text, /\$2[aby]\$\d\d\$/);
    });
  });
});
