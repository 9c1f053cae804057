import { Inject, Injectable } from '@nestjs/common';
import { CompiledQuery, sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';
import { HOUR_ROLLUP_SQL, HOUR_WATERMARK_SQL, MAINTENANCE_LOCK_KEY, TUPLE_HOUR_ROLLUP_SQL } from './hour-rollup.ts';
import type { PartitionRange } from './partition-plan.ts';

/** DDL on a partitioned table waits for its readers and writers; past this it gives up until the next run. */
const LOCK_TIMEOUT = '5s';
/** Rows one retention DELETE removes (small statements: no long locks, no bloat bursts). */
const DELETE_CHUNK = 5_000;

/** One maintenance session: the client bound to the pooled connection holding the job's advisory lock. */
export interface MaintenanceSession {
  db: Db;
}

/** Runs hand-written SQL with positional parameters ($1…) as it is. */
function run<R>(db: Db, text: string, values: unknown[] = []) {
  return db.executeQuery<R>(CompiledQuery.raw(text, values));
}

/**
 * The maintenance job's SQL: partitions (create ahead, drop behind), the hour rollup, retention of
 * the delivery log, resolved incidents and expired sessions, and archiving silent hosts.
 */
@Injectable()
export class MaintenanceRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  /**
   * Runs `work` holding the job's session advisory lock, or returns null at once when another
   * instance (or run) holds it.
   */
  async withJobLock<T>(work: (session: MaintenanceSession) => Promise<T>): Promise<T | null> {
    return this.db.connection().execute(async (db) => {
      let locked = false;
      try {
        const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${MAINTENANCE_LOCK_KEY}) AS locked`.execute(db);
        locked = rows[0]?.locked === true;
        if (!locked) return null;
        await sql`SET lock_timeout = ${sql.lit(LOCK_TIMEOUT)}`.execute(db);
        return await work({ db });
      } finally {
        if (locked) {
          await sql`RESET lock_timeout`.execute(db).catch(() => undefined);
          await sql`SELECT pg_advisory_unlock(${MAINTENANCE_LOCK_KEY})`.execute(db).catch(() => undefined);
        }
      }
    });
  }

  async partitions({ db }: MaintenanceSession, table: string): Promise<string[]> {
    const { rows } = await run<{ name: string }>(
      db,
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
       WHERE n.nspname = current_schema() AND p.relname = $1 ORDER BY 1`,
      [table],
    );
    return rows.map((r) => r.name);
  }

  /**
   * Creates a partition. Rows of its range already in the DEFAULT partition (written while it was
   * missing) move into it in the same transaction, which PostgreSQL requires before it attaches.
   */
  async createPartition({ db }: MaintenanceSession, table: string, column: string, p: PartitionRange): Promise<void> {
    const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const from = p.from.toISOString();
    const to = p.to.toISOString();
    await db.transaction().execute(async (tx) => {
      await run(tx, `CREATE TEMP TABLE pp_moved (LIKE ${ident(table)}) ON COMMIT DROP`);
      await run(
        tx,
        `WITH d AS (DELETE FROM ${ident(`${table}_default`)} WHERE ${ident(column)} >= '${from}' AND ${ident(column)} < '${to}' RETURNING *)
         INSERT INTO pp_moved SELECT * FROM d`,
      );
      await run(tx, `CREATE TABLE IF NOT EXISTS ${ident(p.name)} PARTITION OF ${ident(table)} FOR VALUES FROM ('${from}') TO ('${to}')`);
      await run(tx, `INSERT INTO ${ident(table)} SELECT * FROM pp_moved`);
    });
  }

  async dropPartition({ db }: MaintenanceSession, name: string): Promise<void> {
    await run(db, `DROP TABLE IF EXISTS "${name.replace(/"/g, '""')}"`);
  }

  /** Rows of the DEFAULT partition past retention (only rows no day or month partition could take). */
  async pruneDefault(session: MaintenanceSession, table: string, column: string, cutoff: Date): Promise<number> {
    return this.deleteInChunks(
      session,
      `DELETE FROM "${table}_default" WHERE ctid IN (SELECT ctid FROM "${table}_default" WHERE "${column}" < $1 LIMIT ${DELETE_CHUNK})`,
      [cutoff],
    );
  }

  /** Where the hour rollup stands (null before its first run). */
  async hourWatermark({ db }: MaintenanceSession): Promise<Date | null> {
    const row = await db.selectFrom('rollup_watermarks').select('until').where('tier', '=', 'hour').executeTakeFirst();
    return row?.until ?? null;
  }

  async oldestMinute({ db }: MaintenanceSession): Promise<Date | null> {
    const row = await db
      .selectFrom('host_minutes')
      .select((eb) => eb.fn.min('minute').as('m'))
      .executeTakeFirst();
    return row?.m ?? null;
  }

  /** Recomputes the hour rows of [from, to) (whole hours) from the minute rows, and moves the watermark to `to`. */
  async rollupHours({ db }: MaintenanceSession, from: Date, to: Date): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await run(tx, HOUR_ROLLUP_SQL, [from, to]);
      await run(tx, TUPLE_HOUR_ROLLUP_SQL, [from, to]);
      await run(tx, HOUR_WATERMARK_SQL, [to]);
    });
  }

  /** Delivered and failed notifications created before `cutoff` (their attempts go with them). */
  deleteDeliveries(session: MaintenanceSession, cutoff: Date): Promise<number> {
    return this.deleteInChunks(
      session,
      `DELETE FROM alert_deliveries WHERE id IN (
         SELECT id FROM alert_deliveries WHERE status <> 'pending' AND created_at < $1 LIMIT ${DELETE_CHUNK})`,
      [cutoff],
    );
  }

  /** Incidents resolved before `cutoff`; their remaining deliveries keep their log, unlinked from them. */
  async deleteResolvedIncidents({ db }: MaintenanceSession, cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows } = await run<{ n: number }>(
        db,
        `WITH gone AS (
           DELETE FROM alert_incidents WHERE id IN (
             SELECT id FROM alert_incidents WHERE status = 'resolved' AND resolved_at < $1 LIMIT ${DELETE_CHUNK})
           RETURNING id),
         unlinked AS (UPDATE alert_deliveries SET incident_id = NULL WHERE incident_id IN (SELECT id FROM gone))
         SELECT count(*)::int AS n FROM gone`,
        [cutoff],
      );
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < DELETE_CHUNK) return total;
    }
  }

  deleteExpiredSessions(session: MaintenanceSession, now: Date): Promise<number> {
    return this.deleteInChunks(
      session,
      `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at < $1 LIMIT ${DELETE_CHUNK})`,
      [now],
    );
  }

  /**
   * Namespaces gone before `cutoff` (their history past retention). The highest number of each
   * host stays, so a namespace found later never takes a number reports were stored under.
   */
  deleteGoneNamespaces(session: MaintenanceSession, cutoff: Date): Promise<number> {
    return this.deleteInChunks(
      session,
      `DELETE FROM host_namespaces WHERE (host_id, ns_no) IN (
         SELECT n.host_id, n.ns_no FROM host_namespaces n WHERE n.gone_at < $1
           AND n.ns_no < (SELECT max(m.ns_no) FROM host_namespaces m WHERE m.host_id = n.host_id)
         LIMIT ${DELETE_CHUNK})`,
      [cutoff],
    );
  }

  /** Archives hosts silent since before `cutoff` (never seen: since enrolled); returns their ids. */
  async archiveSilentHosts({ db }: MaintenanceSession, cutoff: Date, now: Date): Promise<string[]> {
    const rows = await db
      .updateTable('hosts')
      .set({ archived_at: now })
      .where('archived_at', 'is', null)
      .where((eb) => eb(eb.fn.coalesce('last_seen_at', 'created_at'), '<', cutoff))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  private async deleteInChunks({ db }: MaintenanceSession, text: string, values: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = Number((await run(db, text, values)).numAffectedRows ?? 0n);
      total += deleted;
      if (deleted < DELETE_CHUNK) return total;
    }
  }
}
