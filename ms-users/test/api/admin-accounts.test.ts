import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { httpRequest, type JsonResponse } from '@marketshare/platform/testing';
import { PasswordHasher } from '../../src/domain/passwords.js';
import type { Account, AccountRole, AccountStatus } from '../../src/domain/ports.js';
import { MysqlAccountRepository } from '../../src/store/account-repository.js';
import {
  bearer,
  countRows,
  field,
  problemFields,
  startUsersService,
  type UsersTestService,
} from '../support.js';

interface Seed {
  username: string;
  email: string;
  companyName: string;
  displayName?: string;
  role: AccountRole;
  status: AccountStatus;
}

/** Who matches what: each of the four searched fields once, LIKE's wildcards, and fillers. */
const SPECIAL: Seed[] = [
  {
    username: 'lumen_ops',
    email: 'ops@alpha.test',
    companyName: 'Alpha Ltd',
    role: 'consumer',
    status: 'active',
  },
  {
    username: 'sales-desk',
    email: 'sales@lumenworks.test',
    companyName: 'Beta',
    role: 'seller',
    status: 'active',
  },
  {
    username: 'gamma',
    email: 'gamma@gamma.test',
    companyName: 'LUMEN Lighting GmbH',
    role: 'seller',
    status: 'deactivated',
  },
  {
    username: 'delta',
    email: 'delta@delta.test',
    companyName: 'Delta',
    displayName: 'Lumen Desk',
    role: 'consumer',
    status: 'active',
  },
  {
    username: 'foods',
    email: 'foods@foods.test',
    companyName: '100% Foods Ltd',
    role: 'seller',
    status: 'active',
  },
  {
    username: 'bang',
    email: 'bang@bang.test',
    companyName: 'Bang! Supplies',
    role: 'admin',
    status: 'active',
  },
];
const ROLES: AccountRole[] = ['seller', 'consumer', 'admin'];
const FILLERS: Seed[] = Array.from({ length: 20 }, (_, index) => {
  const name = `filler-${String(index).padStart(2, '0')}`;
  return {
    username: name,
    email: `${name}@example.test`,
    companyName: `Filler ${index} Co`,
    role: ROLES[index % 3] ?? 'consumer',
    status: index % 4 === 0 ? 'deactivated' : 'active',
  };
});

/** The order the search promises: newest first, the id breaking ties. */
const newestFirst = (a: Account, b: Account) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('ms-users admin account search (GET /api/users)', function () {
  this.timeout(60_000);
  let service: UsersTestService;
  let accounts: Account[];
  let adminToken: string;

  before(async () => {
    service = await startUsersService();
    adminToken = service.issuer.userToken(randomUUID(), 'admin');
    // Stored through the repository with one real hash: 26 bcrypt sign-ups would cost seconds.
    const passwordHash = await new PasswordHasher(12).hash('seeded password 1234');
    const base = Date.UTC(2024, 0, 1);
    accounts = [...SPECIAL, ...FILLERS].map((seed, index) => {
      // Three accounts per instant, so ties on created_at are paged by id.
      const createdAt = new Date(base + Math.floor(index / 3) * 1000);
      const deactivated = seed.status === 'deactivated';
      return {
        id: randomUUID(),
        ...seed,
        displayName: seed.displayName ?? null,
        phone: null,
        address: null,
        website: null,
        passwordHash,
        createdAt,
        updatedAt: createdAt,
        deactivatedAt: deactivated ? createdAt : null,
        deactivationReason: deactivated ? 'seeded' : null,
      };
    });
    const repository = new MysqlAccountRepository(service.pool);
    for (const account of accounts) {
      await repository.insert({ ...account, status: 'active' }, []);
      if (account.deactivatedAt) await repository.deactivate(account.id, 'seeded', account.deactivatedAt, []);
    }
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

  const itemsOf = (response: JsonResponse): unknown[] => {
    const items = field(response.body, 'items');
    assert.ok(Array.isArray(items), response.text);
    return items;
  };
  const idsOf = (response: JsonResponse) => itemsOf(response).map((item) => String(field(item, 'id')));
  const expected = (keep: (account: Account) => boolean) =>
    accounts
      .filter(keep)
      .sort(newestFirst)
      .map((a) => a.id);

  /** Follows nextCursor to the end; fails on a page that is not full before the last. */
  async function allPages(query: Record<string, string>, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page += 1) {
      const response = await search({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) });
      assert.equal(response.status, 200, response.text);
      ids.push(...idsOf(response));
      const next = field(response.body, 'nextCursor');
      if (next === null) return ids;
      assert.equal(idsOf(response).length, limit, 'only the last page is short');
      assert.equal(typeof next, 'string');
      cursor = String(next);
    }
    assert.fail('the pages never ended');
  }

  it('pages through every account newest first, ties by id, with no duplicates or misses', async () => {
    const ids = await allPages({}, 5);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.deepEqual(
      ids,
      expected(() => true),
    );
    const filtered = await allPages({ role: 'consumer' }, 2);
    assert.deepEqual(
      filtered,
      expected((account) => account.role === 'consumer'),
    );
    // The default page is 20 and says where to go on.
    const first = await search({});
    assert.equal(idsOf(first).length, 20);
    assert.equal(typeof field(first.body, 'nextCursor'), 'string');
  });

  it('finds by part of the username, email, company name or display name, in any case', async () => {
    const lumen = expected((account) =>
      [0, 1, 2, 3].some((index) => SPECIAL[index]?.username === account.username),
    );
    assert.deepEqual(idsOf(await search({ q: 'LuMeN' })), lumen);
    assert.deepEqual(idsOf(await search({ q: '  lumen ' })), lumen, 'surrounding spaces do not count');
    assert.deepEqual(
      idsOf(await search({ q: 'lumenworks' })),
      expected((a) => a.username === 'sales-desk'),
    );
    assert.deepEqual(
      idsOf(await search({ q: 'Desk' })),
      expected((a) => ['sales-desk', 'delta'].includes(a.username)),
    );
    assert.deepEqual(idsOf(await search({ q: 'nobody-has-this' })), []);
  });

  it('filters by role and by status, alone and together with a name', async () => {
    for (const role of ROLES) {
      assert.deepEqual(
        idsOf(await search({ role, limit: '100' })),
        expected((a) => a.role === role),
      );
    }
    for (const status of ['active', 'deactivated'] as const) {
      assert.deepEqual(
        idsOf(await search({ status, limit: '100' })),
        expected((a) => a.status === status),
      );
    }
    const combined = await search({ q: 'lumen', role: 'seller', status: 'deactivated' });
    assert.deepEqual(
      idsOf(combined),
      expected((a) => a.username === 'gamma'),
    );
    assert.equal(field(itemsOf(combined)[0], 'deactivationReason'), 'seeded');
  });

  it("takes LIKE's wildcards and its escape character literally", async () => {
    assert.deepEqual(
      idsOf(await search({ q: '%' })),
      expected((a) => a.username === 'foods'),
    );
    assert.deepEqual(
      idsOf(await search({ q: '_' })),
      expected((a) => a.username === 'lumen_ops'),
    );
    assert.deepEqual(
      idsOf(await search({ q: 'g!' })),
      expected((a) => a.username === 'bang'),
    );
  });

  it('presents accounts as admins see them, never with a password hash', async () => {
    const response = await search({ limit: '100' });
    assert.doesNotMatch(response.text, /\$2[aby]\$|passwordHash|password_hash/);
    assert.deepEqual(Object.keys(Object(itemsOf(response)[0])).sort(), [
      'address',
      'companyName',
      'createdAt',
      'deactivatedAt',
      'deactivationReason',
      'displayName',
      'email',
      'id',
      'phone',
      'role',
      'status',
      'updatedAt',
      'username',
      'website',
    ]);
  });

  it('accepts a cursor only with the search it was made for', async () => {
    const sellers = await search({ role: 'seller', limit: '1' });
    const cursor = String(field(sellers.body, 'nextCursor'));
    assert.equal((await search({ role: 'seller', cursor, limit: '3' })).status, 200, 'the limit may change');
    const tampered = `${cursor.slice(0, -2)}${cursor.endsWith('A') ? 'B' : 'A'}${cursor.slice(-1)}`;
    for (const [query, why] of [
      [{ role: 'consumer', cursor }, 'another filter'],
      [{ role: 'seller', cursor: tampered }, 'edited'],
      [{ role: 'seller', cursor: cursor.slice(0, 10) }, 'cut short'],
      [{ cursor: 'not a cursor' }, 'not base64url'],
    ] as const) {
      const response = await search(query);
      assert.equal(response.status, 400, `${why}: ${response.text}`);
      assert.equal(field(response.body, 'code'), 'invalid_cursor', why);
      assert.deepEqual(problemFields(response), ['query.cursor'], why);
    }
  });

  // Last: it changes an account the searches above count on.
  it('lets an admin deactivate an account idempotently, revoking its tokens once', async () => {
    const target = accounts.find((account) => account.username === 'delta');
    assert.ok(target);
    const outboxBefore = await countRows(service.pool, 'outbox');
    const deactivate = (reason: string) =>
      httpRequest(`${service.url}/api/users/${target.id}/deactivate`, {
        headers: bearer(adminToken),
        json: { reason },
      });
    const first = await deactivate('chargeback fraud');
    assert.equal(first.status, 200, first.text);
    assert.equal(field(first.body, 'status'), 'deactivated');
    const again = await deactivate('another reason');
    assert.equal(again.status, 200, again.text);
    assert.equal(field(again.body, 'deactivationReason'), 'chargeback fraud', 'the first reason stays');
    assert.equal(field(again.body, 'deactivatedAt'), field(first.body, 'deactivatedAt'));
    // One auth.subject_revoked (its unexpired tokens stop working), none for the repeat.
    assert.equal(await countRows(service.pool, 'outbox'), outboxBefore + 1);
    assert.equal(
      await countRows(service.pool, 'outbox', 'routing_key = ? AND JSON_VALUE(envelope, ?) = ?', [
        'auth.subject_revoked',
        '$.data.subject',
        target.id,
      ]),
      1,
    );
    const found = await search({ q: 'delta', status: 'deactivated' });
    assert.deepEqual(idsOf(found), [target.id]);
    assert.equal(field(itemsOf(found)[0], 'deactivationReason'), 'chargeback fraud');
  });
});
