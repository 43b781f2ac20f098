import assert from 'node:assert/strict';
import { httpRequest } from '@marketshare/platform/testing';
import type { RowDataPacket } from '@marketshare/platform/mysql';
import {
  countRows,
  field,
  newRegistration,
  problemFields,
  register,
  startUsersService,
  type Registration,
  type UsersTestService,
} from '../support.js';

describe('ms-users registration (POST /api/users)', function () {
  this.timeout(60_000);
  let service: UsersTestService;

  before(async () => {
    service = await startUsersService();
  });
  after(async () => {
    await service?.stop();
  });

  async function counts() {
    return {
      accounts: await countRows(service.pool, 'accounts'),
      outbox: await countRows(service.pool, 'outbox'),
    };
  }

  it('registers a consumer and a seller: 201, no hash anywhere, bcrypt cost 12, one account.created each', async () => {
    const roles: Registration['role'][] = ['consumer', 'seller'];
    for (const role of roles) {
      const registration = newRegistration(role);
      const response = await register(service, registration);
      assert.equal(response.status, 201, response.text);
      assert.equal(field(response.body, 'role'), role);
      assert.equal(field(response.body, 'username'), registration.username);
      assert.equal(
        field(response.body, 'email'),
        registration.email.toLowerCase(),
        'email stored lowercased',
      );
      assert.equal(field(response.body, 'status'), 'active');
      assert.doesNotMatch(response.text, /\$2[aby]\$|password/i);
      const id = String(field(response.body, 'id'));
      const [rows] = await service.pool.query<RowDataPacket[]>(
        'SELECT password_hash FROM accounts WHERE id = ?',
        [id],
      );
      assert.match(String(rows[0]?.['password_hash']), /^\$2b\$(1[2-9]|[2-3]\d)\$/);
      const [events] = await service.pool.query<RowDataPacket[]>(
        'SELECT routing_key, envelope FROM outbox WHERE routing_key = ? AND JSON_VALUE(envelope, "$.data.accountId") = ?',
        ['account.created', id],
      );
      assert.equal(events.length, 1, 'exactly one account.created row in the outbox');
      const stored: unknown = events[0]?.['envelope'];
      // mysql2 parses JSON columns on MySQL; MariaDB's JSON is text.
      const envelope: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored;
      assert.deepEqual(field(envelope, 'data'), {
        accountId: id,
        email: registration.email.toLowerCase(),
        username: registration.username,
        companyName: registration.companyName,
        role,
      });
    }
  });

  it('refuses to register an admin, and changes nothing', async () => {
    const before = await counts();
    const response = await register(service, { ...newRegistration(), role: 'admin' });
    assert.equal(response.status, 400);
    assert.ok(problemFields(response).includes('role'));
    assert.deepEqual(await counts(), before);
  });

  it('answers 409 username_taken / email_taken (ignoring case) and enqueues nothing', async () => {
    const first = newRegistration('seller');
    assert.equal((await register(service, first)).status, 201);
    const before = await counts();
    const sameName = await register(service, {
      ...newRegistration(),
      username: first.username.toUpperCase(),
    });
    assert.equal(sameName.status, 409);
    assert.equal(field(sameName.body, 'code'), 'username_taken');
    assert.match(String(sameName.headers.get('content-type')), /application\/problem\+json/);
    const sameEmail = await register(service, { ...newRegistration(), email: first.email.toUpperCase() });
    assert.equal(sameEmail.status, 409);
    assert.equal(field(sameEmail.body, 'code'), 'email_taken');
    assert.deepEqual(await counts(), before);
  });

  describe('password policy', () => {
    const cases: { name: string; password: string; code?: string }[] = [
      { name: '7 characters', password: 'zq3!vk7', code: 'password_too_short' },
      { name: '73 bytes of multibyte characters', password: `${'é'.repeat(36)}x`, code: 'password_too_long' },
      { name: '73 ASCII bytes', password: 'k'.repeat(73), code: 'password_too_long' },
      { name: 'a common password', password: 'Baseball', code: 'password_too_common' },
    ];
    for (const { name, password, code } of cases) {
      it(`refuses ${name} with ${code}, naming the field`, async () => {
        const before = await counts();
        const response = await register(service, { ...newRegistration(), password });
        assert.equal(response.status, 400);
        assert.equal(field(response.body, 'code'), code);
        assert.deepEqual(problemFields(response), ['password']);
        assert.deepEqual(await counts(), before);
      });
    }

    it('accepts exactly 72 bytes (multibyte) and the account can use it', async () => {
      const response = await register(service, { ...newRegistration(), password: 'é'.repeat(36) });
      assert.equal(response.status, 201, response.text);
    });
  });

  describe('bad input changes nothing', () => {
    const valid = () => ({ ...newRegistration() });
    const cases: { name: string; body: () => unknown; field: string }[] = [
      { name: 'a missing field', body: () => ({ ...valid(), email: undefined }), field: 'email' },
      { name: 'an unknown field', body: () => ({ ...valid(), isAdmin: true }), field: 'isAdmin' },
      { name: 'a wrong type', body: () => ({ ...valid(), username: 42 }), field: 'username' },
      { name: 'a malformed email', body: () => ({ ...valid(), email: 'not-an-email' }), field: 'email' },
      {
        name: 'a username with a space',
        body: () => ({ ...valid(), username: 'bad name' }),
        field: 'username',
      },
      { name: 'a two-letter username', body: () => ({ ...valid(), username: 'ab' }), field: 'username' },
      {
        name: 'a blank company name',
        body: () => ({ ...valid(), companyName: '   ' }),
        field: 'companyName',
      },
    ];
    for (const testCase of cases) {
      it(`400 validation_failed for ${testCase.name}`, async () => {
        const before = await counts();
        const response = await register(service, testCase.body());
        assert.equal(response.status, 400, response.text);
        assert.equal(field(response.body, 'code'), 'validation_failed');
        assert.match(String(response.headers.get('content-type')), /application\/problem\+json/);
        assert.ok(problemFields(response).includes(testCase.field), JSON.stringify(response.body));
        assert.deepEqual(await counts(), before);
      });
    }

    it('400 malformed_body for broken JSON', async () => {
      const before = await counts();
      const response = await httpRequest(`${service.url}/api/users`, {
        headers: { 'content-type': 'application/json' },
        body: '{"role": "consumer",',
      });
      assert.equal(response.status, 400);
      assert.equal(field(response.body, 'code'), 'malformed_body');
      assert.deepEqual(await counts(), before);
    });

    it('413 for a body over BODY_LIMIT_BYTES', async () => {
      const before = await counts();
      const response = await register(service, { ...valid(), companyName: 'x'.repeat(5000) });
      assert.equal(response.status, 413);
      assert.equal(field(response.body, 'code'), 'payload_too_large');
      assert.deepEqual(await counts(), before);
    });
  });

  describe('metrics', () => {
    it('counts registrations by role in users_registered_total', async () => {
      const metrics = await httpRequest(`${service.url}/metrics`);
      assert.match(metrics.text, /users_registered_total\{role="consumer",service="ms-users"\} [1-9]/);
      assert.match(metrics.text, /users_registered_total\{role="seller",service="ms-users"\} [1-9]/);
    });
  });
});
