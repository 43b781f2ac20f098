import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { createPgPool, inPgTransaction, runPgMigrations } from '../src/pg/index.js';
import { createTestPgDatabase, type TestPgDatabase } from '../src/testing/pg-db.js';
import { waitFor } from '../src/testing/ports.js';

/** A logger whose records are kept for the test to read. */
function recordingLogger() {
  const records: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const parsed: unknown = JSON.parse(chunk.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null) {
        records.push({
          level: Number(Reflect.get(parsed, 'level')),
          msg: String(Reflect.get(parsed, 'msg')),
        });
      }
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), records };
}

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

  describe('connections that die (pg_terminate_backend)', () => {
    let admin: pg.Client;
    before(async () => {
      admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
    });
    after(async () => {
      await admin?.end();
    });

    const terminate = async (pid: number) => {
      const { rows } = await admin.query<{ done: boolean }>('SELECT pg_terminate_backend($1) AS done', [pid]);
      assert.equal(rows[0]?.done, true);
    };
    const backendPid = async (queryable: pg.Pool | pg.PoolClient) =>
      (await queryable.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;

    // Without listeners pg throws these 'error' events: mocha reports them as uncaught and fails the test.
    it('fails a migration whose connection dies, rather than throwing its error event', async () => {
      const dying = [
        ...migrations,
        { version: 3, name: 'dies', sql: 'SELECT pg_terminate_backend(pg_backend_pid())' },
      ];
      await assert.rejects(runPgMigrations(db.url, dying), /terminating connection|Connection terminated/);
      const { rows } = await db.pool.query('SELECT version FROM schema_migrations WHERE version = 3');
      assert.equal(rows.length, 0);
    });

    it('reports an idle connection that dies and replaces it, instead of throwing', async () => {
      const { logger, records } = recordingLogger();
      const pool = createPgPool(db.url, { max: 1, logger });
      try {
        const pid = await backendPid(pool);
        await terminate(pid);
        await waitFor(() => pool.totalCount === 0, { what: 'the dead connection to leave the pool' });
        assert.ok(
          records.some((record) => record.level === 40 && /idle PostgreSQL connection/.test(record.msg)),
        );
        assert.notEqual(await backendPid(pool), pid, 'a fresh connection serves the next query');
      } finally {
        await pool.end();
      }
    });

    it('survives the death of a checked-out connection, between queries and during one', async () => {
      const pool = createPgPool(db.url, { max: 2 });
      try {
        const between = await pool.connect();
        const during = await pool.connect();
        // pg emits the failure as 'error' just before 'end': by 'end' it has been thrown or handled.
        const ended = (client: pg.PoolClient) => new Promise((resolve) => client.once('end', resolve));
        const bothEnded = Promise.all([ended(between), ended(during)]);
        await terminate(await backendPid(between));
        const sleeping = during.query('SELECT pg_sleep(10)');
        const duringPid = await waitFor(async () => {
          const { rows } = await admin.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep%'",
            [db.name],
          );
          return rows[0]?.pid;
        });
        await terminate(duringPid);
        await assert.rejects(sleeping, /terminating connection/);
        await bothEnded;
        await assert.rejects(between.query('SELECT 1'));
        between.release();
        during.release();
        // Released dead connections are dropped, not handed out again.
        await waitFor(() => pool.totalCount === 0, { what: 'the dead connections to leave the pool' });
        assert.deepEqual((await pool.query<{ one: number }>('SELECT 1 AS one')).rows, [{ one: 1 }]);
        await inPgTransaction(pool, (client) => client.query("INSERT INTO things VALUES (7, 'seven')"));
      } finally {
        await pool.end();
      }
    });
  });
});
