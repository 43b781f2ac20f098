import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import { bearer, field, problemFields, startUsersService, type UsersTestService } from '../support.js';

/** Who may search accounts, and what the search refuses; the results are in admin-accounts.test.ts. */
describe('ms-users admin account search: access and input (GET /api/users)', function () {
  this.timeout(60_000);
  let service: UsersTestService;
  let adminToken: string;

  before(async () => {
    service = await startUsersService();
    adminToken = service.issuer.userToken(randomUUID(), 'admin');
  });
  after(async () => {
    await service?.stop();
  });

  /** `token` null: anonymous. */
  function search(query: Record<string, string>, token: string | null = adminToken): Promise<JsonResponse> {
    return httpRequest(`${service.url}/api/users?${new URLSearchParams(query)}`, {
      headers: token === null ? {} : bearer(token),
    });
  }

  it('is for admins only: 401 anonymous (before any validation), 403 for everyone else', async () => {
    const anonymous = await search({ limit: '0' }, null);
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers.get('www-authenticate')), /^Bearer/);
    assert.equal((await search({}, 'not.a.token')).status, 401);
    for (const token of [
      service.issuer.userToken(randomUUID(), 'seller'),
      service.issuer.userToken(randomUUID(), 'consumer'),
      service.issuer.serviceToken('ms-orders', 'users:read'),
    ]) {
      const response = await search({}, token);
      assert.equal(response.status, 403);
      assert.equal(field(response.body, 'code'), 'forbidden_role');
    }
  });

  const badQueries: { name: string; query: string; field: string }[] = [
    { name: 'limit=0', query: 'limit=0', field: 'query.limit' },
    { name: 'limit=101', query: 'limit=101', field: 'query.limit' },
    { name: 'limit=Infinity', query: 'limit=Infinity', field: 'query.limit' },
    { name: 'limit=1e309', query: 'limit=1e309', field: 'query.limit' },
    { name: 'limit=1.5', query: 'limit=1.5', field: 'query.limit' },
    { name: 'limit=-1', query: 'limit=-1', field: 'query.limit' },
    { name: 'limit=ten', query: 'limit=ten', field: 'query.limit' },
    { name: 'an unknown role', query: 'role=superuser', field: 'query.role' },
    { name: 'an unknown status', query: 'status=banned', field: 'query.status' },
    { name: 'a repeated role', query: 'role=seller&role=admin', field: 'query.role' },
    { name: 'an empty q', query: 'q=', field: 'query.q' },
    { name: 'a blank q', query: 'q=%20%20', field: 'query.q' },
    { name: 'a q over 254 characters', query: `q=${'x'.repeat(255)}`, field: 'query.q' },
    { name: 'an empty cursor', query: 'cursor=', field: 'query.cursor' },
    { name: 'an unknown field', query: 'sort=name', field: 'query.sort' },
  ];
  for (const testCase of badQueries) {
    it(`400 problem naming ${testCase.field} for ${testCase.name}`, async () => {
      const response = await httpRequest(`${service.url}/api/users?${testCase.query}`, {
        headers: bearer(adminToken),
      });
      assert.equal(response.status, 400, response.text);
      assert.match(String(response.headers.get('content-type')), /^application\/problem\+json/);
      assert.ok(problemFields(response).includes(testCase.field), response.text);
    });
  }

  it('documents the search in the OpenAPI document beside registration', async () => {
    const document = await httpRequest(`${service.url}/api/users/openapi.json`);
    const operations = Object(field(field(document.body, 'paths'), '/api/users'));
    assert.ok(field(operations, 'post'), 'registration');
    const parameters = field(field(operations, 'get'), 'parameters');
    assert.ok(Array.isArray(parameters));
    assert.deepEqual(parameters.map((parameter: unknown) => field(parameter, 'name')).sort(), [
      'cursor',
      'limit',
      'q',
      'role',
      'status',
    ]);
  });
});
