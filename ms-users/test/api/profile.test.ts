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

type Account = Registration & { id: string; token: string };

describe('ms-users profiles, sellers and deactivation', function () {
  this.timeout(60_000);
  let service: UsersTestService;
  let seller: Account;
  let consumer: Account;
  let adminToken: string;

  async function signUp(role: Registration['role']): Promise<Account> {
    const registration = newRegistration(role);
    const response = await register(service, registration);
    assert.equal(response.status, 201, response.text);
    const id = String(field(response.body, 'id'));
    return { ...registration, id, token: service.issuer.userToken(id, role) };
  }

  function me(token: string, init: { method?: string; json?: unknown } = {}): Promise<JsonResponse> {
    return httpRequest(`${service.url}/api/users/me`, { ...init, headers: bearer(token) });
  }

  function verify(username: string, password: string): Promise<JsonResponse> {
    return httpRequest(`${service.url}/internal/users/verify-credentials`, {
      headers: bearer(service.issuer.serviceToken('ms-auth', 'users:verify_credentials')),
      json: { username, password },
    });
  }

  before(async () => {
    service = await startUsersService();
    [seller, consumer] = await Promise.all([signUp('seller'), signUp('consumer')]);
    adminToken = service.issuer.userToken(randomUUID(), 'admin');
  });
  after(async () => {
    await service?.stop();
  });

  describe('GET /api/users/me', () => {
    it('returns the signed-in account without the hash', async () => {
      const response = await me(consumer.token);
      assert.equal(response.status, 200);
      assert.equal(field(response.body, 'id'), consumer.id);
      assert.equal(field(response.body, 'companyName'), consumer.companyName);
      assert.doesNotMatch(response.text, /\$2[aby]\$|passwordHash|password_hash/);
    });

    it('401 with WWW-Authenticate without a token or with a bad one; 403 for a service token', async () => {
      const anonymous = await httpRequest(`${service.url}/api/users/me`);
      assert.equal(anonymous.status, 401);
      assert.match(String(anonymous.headers.get('www-authenticate')), /^Bearer/);
      const forged = await me('not.a.token');
      assert.equal(forged.status, 401);
      assert.match(String(forged.headers.get('www-authenticate')), /invalid_token/);
      const serviceToken = await me(service.issuer.serviceToken('ms-orders', 'users:read'));
      assert.equal(serviceToken.status, 403);
    });
  });

  describe('PATCH /api/users/me', () => {
    it('changes profile fields, clears one with null, and leaves the rest', async () => {
      const first = await me(seller.token, {
        method: 'PATCH',
        json: {
          displayName: 'Acme Sales',
          phone: '+44 20 7946 0000',
          website: 'https://acme.example',
          address: '1 Road',
        },
      });
      assert.equal(first.status, 200, first.text);
      const second = await me(seller.token, {
        method: 'PATCH',
        json: { address: null, companyName: 'Acme Trading' },
      });
      assert.equal(second.status, 200);
      assert.equal(field(second.body, 'displayName'), 'Acme Sales');
      assert.equal(field(second.body, 'address'), null);
      assert.equal(field(second.body, 'companyName'), 'Acme Trading');
      assert.equal(field(second.body, 'email'), seller.email.toLowerCase());
    });

    it('needs the current password to change the password or the email', async () => {
      const missing = await me(consumer.token, {
        method: 'PATCH',
        json: { newPassword: 'a brand new passphrase' },
      });
      assert.equal(missing.status, 400);
      assert.equal(field(missing.body, 'code'), 'current_password_required');
      assert.deepEqual(problemFields(missing), ['currentPassword']);
      const wrong = await me(consumer.token, {
        method: 'PATCH',
        json: { email: 'new@example.com', currentPassword: 'not my password' },
      });
      assert.equal(wrong.status, 400);
      assert.equal(field(wrong.body, 'code'), 'invalid_current_password');
      const weak = await me(consumer.token, {
        method: 'PATCH',
        json: { newPassword: 'password1', currentPassword: consumer.password },
      });
      assert.equal(weak.status, 400);
      assert.equal(field(weak.body, 'code'), 'password_too_common');
      assert.deepEqual(problemFields(weak), ['newPassword']);
      const changed = await me(consumer.token, {
        method: 'PATCH',
        json: { newPassword: 'a brand new passphrase', currentPassword: consumer.password },
      });
      assert.equal(changed.status, 200, changed.text);
      consumer.password = 'a brand new passphrase';
      assert.equal(field((await verify(consumer.username, consumer.password)).body, 'valid'), true);
    });

    it('409 email_taken for another account’s email', async () => {
      const response = await me(consumer.token, {
        method: 'PATCH',
        json: { email: seller.email, currentPassword: consumer.password },
      });
      assert.equal(response.status, 409);
      assert.equal(field(response.body, 'code'), 'email_taken');
    });

    const badBodies: { name: string; body: unknown; field: string }[] = [
      { name: 'an unknown field', body: { role: 'admin' }, field: 'role' },
      { name: 'a wrong type', body: { companyName: 7 }, field: 'companyName' },
      { name: 'a malformed website', body: { website: 'javascript:alert(1)' }, field: 'website' },
      { name: 'a malformed phone', body: { phone: 'call me' }, field: 'phone' },
      { name: 'an empty body', body: {}, field: '(root)' },
    ];
    for (const testCase of badBodies) {
      it(`400 naming the field for ${testCase.name}, changing nothing`, async () => {
        const before = await me(seller.token);
        const response = await me(seller.token, { method: 'PATCH', json: testCase.body });
        assert.equal(response.status, 400, response.text);
        assert.ok(problemFields(response).includes(testCase.field), JSON.stringify(response.body));
        assert.deepEqual((await me(seller.token)).body, before.body);
      });
    }

    it('400 malformed_body, 413 over the limit, 401 without a token', async () => {
      const malformed = await httpRequest(`${service.url}/api/users/me`, {
        method: 'PATCH',
        headers: { ...bearer(seller.token), 'content-type': 'application/json' },
        body: '{"companyName": }',
      });
      assert.equal(malformed.status, 400);
      assert.equal(field(malformed.body, 'code'), 'malformed_body');
      const tooLarge = await me(seller.token, { method: 'PATCH', json: { address: 'x'.repeat(5000) } });
      assert.equal(tooLarge.status, 413);
      const anonymous = await httpRequest(`${service.url}/api/users/me`, {
        method: 'PATCH',
        json: { phone: '123' },
      });
      assert.equal(anonymous.status, 401);
    });
  });

  describe('GET /api/users/sellers/:id', () => {
    it('shows an active seller’s public profile and nothing private', async () => {
      const response = await httpRequest(`${service.url}/api/users/sellers/${seller.id}`);
      assert.equal(response.status, 200);
      assert.deepEqual(Object.keys(response.body ?? {}).sort(), [
        'companyName',
        'displayName',
        'id',
        'joinedAt',
        'username',
        'website',
      ]);
      assert.equal(field(response.body, 'companyName'), 'Acme Trading');
    });

    it('404 for consumers and unknown ids, 400 for a malformed id', async () => {
      assert.equal((await httpRequest(`${service.url}/api/users/sellers/${consumer.id}`)).status, 404);
      assert.equal((await httpRequest(`${service.url}/api/users/sellers/${randomUUID()}`)).status, 404);
      const malformed = await httpRequest(`${service.url}/api/users/sellers/12`);
      assert.equal(malformed.status, 400);
      assert.deepEqual(problemFields(malformed), ['params.id']);
    });
  });

  describe('POST /api/users/:id/deactivate (admin)', () => {
    const deactivate = (id: string, token: string | undefined, body: unknown) =>
      httpRequest(`${service.url}/api/users/${id}/deactivate`, {
        headers: token ? bearer(token) : {},
        json: body,
      });

    it('401 without a token, 403 forbidden_role for non-admins, 404 for an unknown id', async () => {
      assert.equal((await deactivate(seller.id, undefined, { reason: 'spam' })).status, 401);
      const asSeller = await deactivate(consumer.id, seller.token, { reason: 'spam' });
      assert.equal(asSeller.status, 403);
      assert.equal(field(asSeller.body, 'code'), 'forbidden_role');
      assert.equal((await deactivate(randomUUID(), adminToken, { reason: 'spam' })).status, 404);
    });

    it('400 naming the field for a missing reason or an unknown field', async () => {
      assert.deepEqual(problemFields(await deactivate(seller.id, adminToken, {})), ['reason']);
      assert.deepEqual(problemFields(await deactivate(seller.id, adminToken, { reason: 'x', ban: true })), [
        'ban',
      ]);
      assert.equal(field((await me(seller.token)).body, 'status'), 'active');
    });

    it('deactivates with a reason; the seller disappears publicly and can no longer log in', async () => {
      const response = await deactivate(seller.id, adminToken, { reason: 'fraudulent listings' });
      assert.equal(response.status, 200, response.text);
      assert.equal(field(response.body, 'status'), 'deactivated');
      assert.equal(field(response.body, 'deactivationReason'), 'fraudulent listings');
      assert.equal((await httpRequest(`${service.url}/api/users/sellers/${seller.id}`)).status, 404);
      assert.equal((await verify(seller.username, seller.password)).text, '{"valid":false}');
      const internal = await httpRequest(`${service.url}/internal/users/${seller.id}`, {
        headers: bearer(service.issuer.serviceToken('ms-auth', 'users:read')),
      });
      assert.equal(field(internal.body, 'status'), 'deactivated');
    });
  });

  describe('DELETE /api/users/me', () => {
    it('401 without a token', async () => {
      assert.equal((await httpRequest(`${service.url}/api/users/me`, { method: 'DELETE' })).status, 401);
    });

    it('deactivates the own account: 204, then no log-in and no more changes', async () => {
      const response = await me(consumer.token, { method: 'DELETE' });
      assert.equal(response.status, 204);
      assert.equal(field((await me(consumer.token)).body, 'status'), 'deactivated');
      assert.equal((await verify(consumer.username, consumer.password)).text, '{"valid":false}');
      const change = await me(consumer.token, { method: 'PATCH', json: { companyName: 'Back again' } });
      assert.equal(change.status, 409);
      assert.equal(field(change.body, 'code'), 'account_deactivated');
      assert.equal((await me(consumer.token, { method: 'DELETE' })).status, 204, 'idempotent');
    });
  });

  describe('service endpoints', () => {
    it('labels request metrics with the route template, not the raw path', async () => {
      const metrics = await httpRequest(`${service.url}/metrics`);
      assert.match(metrics.text, /http_server_request_duration_seconds_count\{[^}]*route="\/api\/users\/me"/);
      assert.match(metrics.text, /route="\/api\/users\/sellers\/:id"/);
      assert.doesNotMatch(metrics.text, new RegExp(seller.id));
    });

    it('serves the OpenAPI document without the internal routes', async () => {
      const response = await httpRequest(`${service.url}/api/users/openapi.json`);
      assert.equal(response.status, 200);
      const paths = Object.keys(Object(field(response.body, 'paths')));
      for (const path of [
        '/api/users',
        '/api/users/me',
        '/api/users/sellers/{id}',
        '/api/users/{id}/deactivate',
      ]) {
        assert.ok(paths.includes(path), `${path} in ${paths.join(', ')}`);
      }
      assert.ok(paths.includes('/api/users/password-reset/confirm'));
      assert.ok(!paths.some((path) => path.startsWith('/internal')));
    });

    it('is ready when MySQL answers', async () => {
      const response = await httpRequest(`${service.url}/readyz`);
      assert.equal(response.status, 200);
      assert.equal(field(field(response.body, 'checks'), 'mysql'), 'ok');
      assert.equal(await countRows(service.pool, 'accounts', 'id = ?', [seller.id]), 1);
    });
  });
});
