import assert from 'node:assert/strict';
import { inPgTransaction, runPgMigrations } from '../src/pg/index.js';
import { createTestPgDatabase, type TestPgDatabase } from '../src/testing/pg-db.js';

describe('platform PostgreSQL helpers', () => {
  let db: TestPgDatabase;
  before(async () => {
    db = await createTestPgDatabase('platform_pg');
  });
  after(async () => {
    await db?.drop();
  });

  const migrations = [
    { version: 1, name: 'things', sql: 'CREATE TABLE things (id BIGINT PRIMARY KEY, label TEXT NOT NULL)' },
    { version: 2, name: 'seed', sql: "INSERT INTO things VALUES (1, 'one')" },
  ];

  it('applies pending migrations once, even when instances start together', async () => {
    const counts = await Promise.all([
      runPgMigrations(db.url, migrations),
      runPgMigrations(db.url, migrations),
    ]);
    assert.deepEqual(counts.sort(), [0, 2]);
    const { rows } = await db.pool.query<{ id: number }>('SELECT id FROM things');
    assert.deepEqual(rows, [{ id: 1 }], 'BIGINT is read as a number');
  });

  it('refuses an applied migration whose file changed', async () => {
    const edited = [{ ...migrations[0], version: 1, name: 'things', sql: 'CREATE TABLE things (id INT)' }];
    await assert.rejects(runPgMigrations(db.url, edited), /was edited/);
  });

  it('rolls a failed migration back whole', async () => {
    const broken = [
      ...migrations,
      { version: 3, name: 'broken', sql: "INSERT INTO things VALUES (2, 'two'); SELECT nope" },
    ];
    await assert.rejects(runPgMigrations(db.url, broken));
    const { rows } = await db.pool.query('SELECT id FROM things WHERE id = 2');
    assert.equal(rows.length, 0);
  });

  it('commits or rolls back a transaction as a unit', async () => {
    await assert.rejects(
      inPgTransaction(db.pool, async (client) => {
        await client.query("INSERT INTO things VALUES (5, 'five')");
        throw new Error('abort');
      }),
    );
    await inPgTransaction(db.pool, (client) => client.query("INSERT INTO things VALUES (6, 'six')"));
    const { rows } = await db.pool.query<{ id: number }>('SELECT id FROM things WHERE id IN (5, 6)');
    assert.deepEqual(rows, [{ id: 6 }]);
  });
});
