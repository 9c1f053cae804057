import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DbService } from '../database/db.service.ts';

/** A table's partitions (or the table itself) with their size and row estimate. */
export interface TableUse {
  table: string;
  bytes: number;
  rows: number;
}

/** Below this estimate a partition is counted exactly (cheap, and estimates of small or fresh tables are poor). */
const EXACT_BELOW = 100_000;

@Injectable()
export class StorageRepository {
  constructor(private readonly db: DbService) {}

  async databaseBytes(): Promise<number> {
    const { rows } = await sql<{ n: string }>`SELECT pg_database_size(current_database()) AS n`.execute(this.db);
    return Number(rows[0]!.n);
  }

  /** Size (tables, indexes, TOAST) and rows of each table, its partitions summed. */
  async tables(names: string[]): Promise<TableUse[]> {
    // the catalogues are not in schema.prisma: plain SQL
    const { rows } = await sql<{ table: string; part: string; bytes: string; estimate: number }>`
      SELECT t.relname AS table, p.relname AS part, pg_total_relation_size(p.oid) AS bytes, p.reltuples AS estimate
       FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN LATERAL (SELECT t.oid, t.relname, t.reltuples WHERE t.relkind = 'r'
                     UNION ALL
                     SELECT c.oid, c.relname, c.reltuples FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = t.oid) p ON true
       WHERE n.nspname = current_schema() AND t.relname = ANY(${names}::text[]) AND t.relkind IN ('r', 'p')`.execute(this.db);
    const out = new Map(names.map((table) => [table, { table, bytes: 0, rows: 0 }]));
    for (const r of rows) {
      const use = out.get(r.table)!;
      use.bytes += Number(r.bytes);
      use.rows += r.estimate >= EXACT_BELOW ? Math.round(r.estimate) : await this.count(r.part);
    }
    return [...out.values()];
  }

  async activeHosts(): Promise<number> {
    const row = await this.db
      .selectFrom('hosts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('archived_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async count(relation: string): Promise<number> {
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(relation)}`.execute(this.db);
    return Number(rows[0]!.n);
  }
}
