import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../apps/api/src/config/config.ts';
import { migrate, readMigrations } from '../../apps/api/src/database/migrator.ts';
import { useFreshlyMigratedDatabase } from '../support/database.ts';
import { loadPrismaSchemaModel, type ExpectedIndex } from './prisma-schema-model.ts';

const expected = loadPrismaSchemaModel(path.join(REPO_ROOT, 'prisma/schema.prisma'));

describe('the migrated database', () => {
  const db = useFreshlyMigratedDatabase();

  it("has exactly the tables of schema.prisma (plus Prisma's own bookkeeping)", async () => {
    const { rows } = await db.query<{ table_name: string }>(
      // partitions of a partitioned table (days of snapshots…) are storage, not tables of the model
      `SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
    );
    const actual = rows.map((r) => r.table_name).filter((t) => t !== '_prisma_migrations');
    expect(actual).toEqual([...expected.tables.keys()].sort());
  });

  it('has the columns, types and nullability of schema.prisma', async () => {
    const { rows } = await db.query<{ table: string; column: string; type: string; nullable: boolean }>(
      `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
              NOT a.attnotnull AS nullable
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
         AND c.relname <> '_prisma_migrations'`,
    );
    const actual: Record<string, Record<string, { type: string; nullable: boolean }>> = {};
    for (const r of rows) (actual[r.table] ??= {})[r.column] = { type: r.type, nullable: r.nullable };
    const want: Record<string, Record<string, { type: string; nullable: boolean }>> = {};
    for (const [table, columns] of expected.tables) want[table] = Object.fromEntries(columns);
    expect(actual).toEqual(want);
  });

  it("has the indexes of schema.prisma, with Prisma's names, columns and uniqueness", async () => {
    const { rows } = await db.query<{ table: string; name: string; unique: boolean; primary: boolean; columns: string[] }>(
      `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
              ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k + 1, true)
                    || CASE WHEN ix.indoption[k] & 1 = 1 THEN ' DESC' ELSE '' END
                    FROM generate_subscripts(ix.indkey, 1) AS k ORDER BY k) AS columns
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations' AND NOT t.relispartition`,
    );
    const sortKey = (x: ExpectedIndex) => `${x.table}.${x.name}`;
    const actual = rows
      .map((r) => ({ ...r, columns: r.columns.map((c) => c.replaceAll('"', '')) }))
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const want = [...expected.indexes].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    expect(actual).toEqual(want);
  });

  it('has the foreign keys of schema.prisma', async () => {
    const { rows } = await db.query<{
      table: string;
      name: string;
      columns: string[];
      referencedTable: string;
      referencedColumns: string[];
    }>(
      `SELECT t.relname AS table, con.conname AS name,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
              r.relname AS "referencedTable",
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS "referencedColumns"
       FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE con.contype = 'f' AND n.nspname = 'public' AND NOT t.relispartition AND con.conparentid = 0`,
    );
    const key = (x: { name: string }) => x.name;
    expect(rows.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...expected.foreignKeys].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it('records every migration in _prisma_migrations with its checksum, as prisma migrate deploy does', async () => {
    const migrations = await readMigrations();
    const { rows } = await db.query<{ migration_name: string; checksum: string; finished: boolean; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, applied_steps_count
       FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toEqual(migrations.map((m) => ({ migration_name: m.name, checksum: m.checksum, finished: true, applied_steps_count: 1 })));
  });

  it('applies nothing the second time', async () => {
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
  });
});
