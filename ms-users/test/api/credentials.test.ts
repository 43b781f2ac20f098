import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import {
  bearer,
  countRows,
  field,
  newRegistration,
  problemFields,
  register,
  startUsersService,
  type Registration,
  type UsersTestService,
} from '../support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ms-users internal credentials API', function () {
  this.timeout(60_000);
  let service: UsersTestService;
  let msAuthToken: string;
  let alice: Registration & { id: string };

  before(async () => {
    service = await startUsersService({
      env: {
        LOGIN_MAX_FAILURES: '3',
        LOGIN_LOCK_INITIAL_SECONDS: '1',
        LOGIN_LOCK_MAX_SECONDS: '60',
        REGISTER_RATE_LIMIT_PER_HOUR: '4',
      },
    });
    msAuthToken = service.issuer.serviceToken('ms-auth', 'users:verify_credentials users:read');
    const registration = newRegistration('seller');
    const response = await register(service, registration);
    assert.equal(response.status, 201, response.text);
    alice = { ...registration, id: String(field(response.body, 'id')) };
  });
  after(async () => {
    await service?.stop();
  });

  function verify(body: unknown, token = msAuthToken): Promise<JsonResponse> {
    return httpRequest(`${service.url}/internal/users/verify-credentials`, {
      headers: bearer(token),
      json: body,
    });
  }

  it('accepts the right password by username (any case) or email', async () => {
    for (const login of [alice.username.toUpperCase(), alice.email.toUpperCase()]) {
      const response = await verify({ username: login, password: alice.password });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body, {
        valid: true,
        account: { id: alice.id, username: alice.username, role: 'seller', status: 'active' },
      });
    }
  });

  it('answers a wrong password and an unknown user with byte-identical bodies, running bcrypt for both', async () => {
    const wrong = await verify({ username: alice.username, password: 'not the password at all' });
    const started = Date.now();
    const unknown = await verify({ username: 'nobody_by_this_name', password: 'not the password at all' });
    const unknownMs = Date.now() - started;
    assert.equal(wrong.status, 200);
    assert.equal(unknown.status, 200);
    assert.equal(wrong.text, '{"valid":false}');
    assert.equal(unknown.text, wrong.text);
    // bcrypt at cost 12 takes hundreds of milliseconds; a lookup alone takes a few.
    assert.ok(unknownMs >= 100, `unknown user answered in ${unknownMs} ms: was bcrypt skipped?`);
    // A success clears the failure counted above.
    assert.equal((await verify({ username: alice.username, password: alice.password })).status, 200);
  });

  describe('authorization', () => {
    const body = () => ({ username: alice.username, password: alice.password });

    it('401 with WWW-Authenticate without a token', async () => {
      const response = await httpRequest(`${service.url}/internal/users/verify-credentials`, {
        json: body(),
      });
      assert.equal(response.status, 401);
      assert.match(String(response.headers.get('www-authenticate')), /^Bearer/);
    });

    it('403 insufficient_scope without users:verify_credentials', async () => {
      const response = await verify(body(), service.issuer.serviceToken('ms-auth', 'users:read'));
      assert.equal(response.status, 403);
      assert.equal(field(response.body, 'code'), 'insufficient_scope');
    });

    it('403 forbidden_client for another client holding the scope', async () => {
      const response = await verify(
        body(),
        service.issuer.serviceToken('ms-orders', 'users:verify_credentials'),
      );
      assert.equal(response.status, 403);
      assert.equal(field(response.body, 'code'), 'forbidden_client');
    });

    it('403 for a person’s token, even one carrying the scope', async () => {
      const token = service.issuer.sign({
        sub: alice.id,
        role: 'admin',
        scope: 'users:verify_credentials',
        client_id: 'ms-auth',
      });
      const response = await verify(body(), token);
      assert.equal(response.status, 403);
      assert.equal(field(response.body, 'code'), 'forbidden_client');
    });
  });

  describe('bad input changes nothing', () => {
    const cases: { name: string; body: unknown; field: string }[] = [
      { name: 'missing password', body: { username: 'someone' }, field: 'password' },
      { name: 'unknown field', body: { username: 'someone', password: 'x', otp: '1' }, field: 'otp' },
      { name: 'wrong type', body: { username: ['someone'], password: 'x' }, field: 'username' },
    ];
    for (const testCase of cases) {
      it(`400 naming the field for ${testCase.name}`, async () => {
        const before = await countRows(service.pool, 'login_throttle');
        const response = await verify(testCase.body);
        assert.equal(response.status, 400);
        assert.deepEqual(problemFields(response), [testCase.field]);
        assert.equal(await countRows(service.pool, 'login_throttle'), before);
      });
    }

    it('400 malformed_body and 413 over the body limit', async () => {
      const before = await countRows(service.pool, 'login_throttle');
      const malformed = await httpRequest(`${service.url}/internal/users/verify-credentials`, {
        headers: { ...bearer(msAuthToken), 'content-type': 'application/json' },
        body: '{"username":',
      });
      assert.equal(malformed.status, 400);
      assert.equal(field(malformed.body, 'code'), 'malformed_body');
      const tooLarge = await verify({ username: 'someone', password: 'p'.repeat(5000) });
      assert.equal(tooLarge.status, 413);
      assert.equal(await countRows(service.pool, 'login_throttle'), before);
    });
  });

  describe('failed-login throttling', () => {
    it('locks a username after N failures, refuses even the right password, then lets the owner in', async () => {
      const bob = newRegistration('consumer');
      assert.equal((await register(service, bob)).status, 201);
      const wrong = { username: bob.username, password: 'definitely wrong password' };
      const right = { username: bob.username, password: bob.password };
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        assert.equal((await verify(wrong)).text, '{"valid":false}', `attempt ${attempt}`);
      }
      const locked = await verify(right);
      assert.equal(locked.status, 429);
      assert.equal(field(locked.body, 'code'), 'login_throttled');
      assert.match(String(locked.headers.get('content-type')), /application\/problem\+json/);
      assert.equal(locked.headers.get('retry-after'), '1');
      // The email names the same account, so it shares the lock.
      assert.equal((await verify({ username: bob.email, password: bob.password })).status, 429);

      await sleep(1_100);
      // Straight after a lock one more failure locks again, for twice as long.
      assert.equal((await verify(wrong)).text, '{"valid":false}');
      const relocked = await verify(right);
      assert.equal(relocked.status, 429);
      assert.equal(relocked.headers.get('retry-after'), '2');

      await sleep(2_100);
      const owner = await verify(right);
      assert.equal(owner.status, 200);
      assert.equal(field(owner.body, 'valid'), true);
      // The success forgot the failures: a typo no longer locks at once.
      assert.equal((await verify(wrong)).text, '{"valid":false}');
      assert.equal((await verify(right)).status, 200);
    });

    it('throttles unknown usernames the same way', async () => {
      const ghost = { username: `ghost_${Date.now()}`, password: 'whatever password' };
      for (let attempt = 1; attempt <= 3; attempt += 1) assert.equal((await verify(ghost)).status, 200);
      const locked = await verify(ghost);
      assert.equal(locked.status, 429);
      assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    });
  });

  describe('GET /internal/users/:id', () => {
    it('returns id, username, role, status, email and company name with users:read', async () => {
      for (const client of ['ms-auth', 'ms-email']) {
        const response = await httpRequest(`${service.url}/internal/users/${alice.id}`, {
          headers: bearer(service.issuer.serviceToken(client, 'users:read')),
        });
        assert.equal(response.status, 200);
        assert.deepEqual(response.body, {
          id: alice.id,
          username: alice.username,
          role: 'seller',
          status: 'active',
          email: alice.email.toLowerCase(),
          companyName: alice.companyName,
        });
      }
    });

    it('404 for an unknown id, 400 for a malformed one, 403 without the scope, 401 without a token', async () => {
      const token = service.issuer.serviceToken('ms-auth', 'users:read');
      const unknown = await httpRequest(`${service.url}/internal/users/${randomUUID()}`, {
        headers: bearer(token),
      });
      assert.equal(unknown.status, 404);
      const malformed = await httpRequest(`${service.url}/internal/users/not-a-uuid`, {
        headers: bearer(token),
      });
      assert.equal(malformed.status, 400);
      assert.deepEqual(problemFields(malformed), ['params.id']);
      const noScope = await httpRequest(`${service.url}/internal/users/${alice.id}`, {
        headers: bearer(service.issuer.serviceToken('ms-auth', 'users:verify_credentials')),
      });
      assert.equal(noScope.status, 403);
      assert.equal(field(noScope.body, 'code'), 'insufficient_scope');
      const anonymous = await httpRequest(`${service.url}/internal/users/${alice.id}`);
      assert.equal(anonymous.status, 401);
      assert.ok(anonymous.headers.get('www-authenticate'));
    });
  });

  // Last: by now every outcome has happened, and two accounts were registered.
  describe('registration rate limit', () => {
    it('refuses further registrations from one address with 429 and Retry-After', async () => {
      const statuses: number[] = [];
      let limited: JsonResponse | undefined;
      for (let attempt = 0; attempt < 5 && !limited; attempt += 1) {
        const response = await register(service, { username: 'x' });
        statuses.push(response.status);
        if (response.status === 429) limited = response;
      }
      assert.deepEqual(statuses, [400, 400, 429]);
      assert.ok(Number(limited?.headers.get('retry-after')) > 0);
    });
  });

  describe('metrics', () => {
    it('counts checks by outcome in login_checks_total', async () => {
      const metrics = await httpRequest(`${service.url}/metrics`);
      for (const outcome of ['valid', 'wrong_password', 'unknown_account', 'throttled']) {
        assert.match(
          metrics.text,
          new RegExp(`login_checks_total\\{outcome="${outcome}",service="ms-users"\\} [1-9]`),
        );
      }
    });
  });
});
