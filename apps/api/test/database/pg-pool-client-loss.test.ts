import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbService } from '../../src/database/db.service.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.ts';

// A client checked out of the pool (a transaction, the maintenance job's lock session) whose
// server connection ends between two queries must not become an uncaught exception: that would
// stop the API during a database restart. Its next query fails instead, and the pool recovers.
describe("DbService's pool when a checked-out connection is lost", () => {
  let db: TestDatabase;
  let client: DbService;
  let admin: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    client = new DbService({ databaseUrl: db.url });
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await client?.destroy();
    await db?.drop();
  });

  it('turns the loss into a failed query, not an uncaught error, and serves the next caller', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const checkedOut = await client.pool.connect();
      const { rows } = await checkedOut.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      // Let the termination reach the idle, checked-out client.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(checkedOut.query('SELECT 1')).rejects.toThrow();
      checkedOut.release();
      // the next caller, through the query builder, gets a fresh connection
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(client)).rows).toEqual([{ one: 1 }]);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
