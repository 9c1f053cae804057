import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleQuery, sqlLiteral } from '../../src/database/pg-copy.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';

// The ingest batch is one simple query with its values inlined (sqlLiteral) and its COPY data
// sent right behind the query; these run it against the real PostgreSQL of the test run.
describe('simpleQuery and sqlLiteral against PostgreSQL', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE t (id int PRIMARY KEY, note text)');
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('inlines any text as a literal that reads back unchanged', async () => {
    const nasty = [
      '',
      "it's",
      "''; DROP TABLE t; --",
      "back\\slash \\' \\x41 \\n",
      'tab\tnew\nline\rcr',
      'unicode: é ✓ 😀',
      JSON.stringify({ s: 'quote " back \\ nul \u0000 end' }),
    ];
    for (const text of nasty) {
      const [result] = await simpleQuery(client, `SELECT ${sqlLiteral(text)}::text AS v`);
      expect(result!.rows).toEqual([[text]]);
    }
    expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(0);
  });

  it('runs several statements and their COPY data in one round trip, as one transaction', async () => {
    const results = await simpleQuery(
      client,
      `INSERT INTO t VALUES (1, 'one') RETURNING id; COPY t (id, note) FROM STDIN; SELECT count(*) FROM t`,
      ['2\ttwo\n3\tthree\n'],
    );
    expect(results.map((r) => r.command)).toEqual(['INSERT 0 1', 'COPY 2', 'SELECT 1']);
    expect(results[0]!.rows).toEqual([['1']]);
    expect(results[2]!.rows).toEqual([['3']]);
  });

  it('rolls every statement back when one fails, even after a COPY, and the connection stays usable', async () => {
    await expect(
      simpleQuery(client, `INSERT INTO t VALUES (10, 'ten'); COPY t (id, note) FROM STDIN; INSERT INTO t VALUES (1, 'dup')`, [
        '11\televen\n',
      ]),
    ).rejects.toThrow(/duplicate key/);
    // a statement failing before the COPY: its data, already sent, is skipped by the server
    await expect(simpleQuery(client, `INSERT INTO t VALUES (1, 'dup'); COPY t (id, note) FROM STDIN`, ['12\ttwelve\n'])).rejects.toThrow(
      /duplicate key/,
    );
    // bad COPY data
    await expect(simpleQuery(client, `COPY t (id, note) FROM STDIN`, ['not-a-number\tx\n'])).rejects.toThrow(/integer/);
    const { rows } = await client.query<{ id: number }>('SELECT id FROM t ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
  });
});
