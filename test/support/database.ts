import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../apps/api/src/database/migrator.ts';
import { suiteValue } from './suite-value.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection URL template for the test server; `{db}` is replaced by a database name. */
    pgUrlTemplate: string;
    /** A database with every migration applied, to copy per test file. */
    pgTemplateDatabase: string;
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  /** A connected client for assertions; closed by drop(). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

function urlFor(database: string): string {
  return inject('pgUrlTemplate').replace('{db}', database);
}

/** A fresh database copied from the migrated template, on the run's real PostgreSQL server. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `pp_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  await admin.connect();
  try {
    const template = options.migrated === false ? 'template0' : inject('pgTemplateDatabase');
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    name,
    url,
    query: (sql, params) => client.query(sql, params),
    async drop() {
      await client.end();
      const a = new pg.Client({ connectionString: urlFor('postgres') });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/**
 * An empty database migrated here by the same runner the API uses at start-up, created before the
 * tests of the enclosing `describe` and dropped after them.
 */
export function useFreshlyMigratedDatabase(): TestDatabase {
  return suiteValue(
    async () => {
      const db = await createTestDatabase({ migrated: false });
      await migrate(db.url);
      return db;
    },
    (db) => db.drop(),
  );
}
