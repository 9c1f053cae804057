import { describe, expect, it } from 'vitest';
import { useFreshlyMigratedDatabase } from '../support/database.ts';

/**
 * What distributing the fleet by host (Citus, docs/scaling.md) asks of the schema: every
 * host-scoped table (hosts, and every table with a host_id) has host_id in its primary key and in
 * each unique constraint, and no foreign key or unique constraint spans hosts.
 *
 * KNOWN lists what is still in the way, each with why (docs/scaling.md, "What is left"). A new
 * violation fails this test; so does fixing a known one until it leaves the list.
 */
const KNOWN: string[] = [];

/**
 * Tables with a host_id column that are not distributed but copied to every node (Citus reference
 * tables, docs/scaling.md), each with why. Their keys may span hosts; nothing may point into them
 * from a host-scoped table.
 */
const REFERENCE_TABLES: Record<string, string> = {
  host_identities: 'enrollment looks a host up by (machine id, hostname) before it knows the host id',
};

describe('schema ready to be distributed by host', () => {
  const db = useFreshlyMigratedDatabase();

  it('keeps host_id in every host-scoped key, and no constraint spans hosts (beyond the known list)', async () => {
    const tables = await db.query<{ table: string; hostColumn: string | null }>(
      `SELECT c.relname AS table,
              CASE WHEN c.relname = 'hosts' THEN 'id'
                   WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'host_id' AND NOT a.attisdropped) THEN 'host_id' END AS "hostColumn"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'`,
    );
    const hostColumn = new Map(tables.rows.map((t) => [t.table, REFERENCE_TABLES[t.table] ? null : t.hostColumn]));
    expect(Object.keys(REFERENCE_TABLES).filter((t) => !hostColumn.has(t))).toEqual([]);
    expect(
      [...hostColumn.entries()]
        .filter(([, c]) => c !== null)
        .map(([t]) => t)
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        'hosts',
        'snapshots',
        'host_tuples',
        'host_minutes',
        'tuple_minutes',
        'host_hours',
        'tuple_hours',
        'host_credentials',
        'host_namespaces',
        'namespace_snapshots',
        'host_diagnostics',
      ]),
    );

    const keys = await db.query<{ table: string; name: string; primary: boolean; columns: string[] }>(
      `SELECT t.relname AS table, i.relname AS name, ix.indisprimary AS primary,
              ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) k JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k) AS columns
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND ix.indisunique AND NOT t.relispartition AND t.relname <> '_prisma_migrations'`,
    );
    const violations: string[] = [];
    for (const k of keys.rows) {
      const column = hostColumn.get(k.table);
      if (!column || k.columns.includes(column)) continue;
      violations.push(k.primary ? `${k.table}: primary key lacks ${column}` : `${k.table}: unique ${k.name} lacks ${column}`);
    }
    const tablesWithoutKey = [...hostColumn.entries()].filter(([t, c]) => c !== null && !keys.rows.some((k) => k.table === t && k.primary));
    for (const [t] of tablesWithoutKey) violations.push(`${t}: no primary key`);

    const fks = await db.query<{ table: string; name: string; columns: string[]; target: string; targetColumns: string[] }>(
      `SELECT t.relname AS table, con.conname AS name, r.relname AS target,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) k JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k) AS columns,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) k JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k) AS "targetColumns"
       FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE con.contype = 'f' AND n.nspname = 'public' AND NOT t.relispartition AND con.conparentid = 0`,
    );
    for (const fk of fks.rows) {
      const targetHost = hostColumn.get(fk.target);
      if (!targetHost) continue; // a reference table (rules, channels, users): fine from anywhere
      const sourceHost = hostColumn.get(fk.table);
      // a host-scoped target must be reached through its host column, from the source's host column
      const i = fk.targetColumns.indexOf(targetHost);
      if (i < 0 || !sourceHost || fk.columns[i] !== sourceHost) {
        violations.push(`${fk.table}: foreign key ${fk.name} reaches host-scoped ${fk.target} without host_id`);
      }
    }
    expect(violations.sort()).toEqual([...KNOWN].sort());
  });
});
