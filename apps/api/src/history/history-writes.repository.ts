import { Inject, Injectable } from '@nestjs/common';
import type { HostTrend } from '@portpressure/protocol';
import { CompiledQuery, sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';
import type { HostMinuteRow, TupleMinuteRow } from './minute-rollup.ts';

export interface TrendRow {
  id: string;
  trend: HostTrend | null;
}

const UPSERT_HOST_MINUTES_SQL = `
  INSERT INTO host_minutes AS m (host_id, minute, pressure, held, usable, host_ports_in_use, time_wait, reclaimable, states, snapshots)
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::float8[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[],
                       $9::text[]::jsonb[], $10::int[])
  ON CONFLICT (host_id, minute) DO UPDATE SET
    pressure = GREATEST(m.pressure, EXCLUDED.pressure),
    held = GREATEST(m.held, EXCLUDED.held),
    usable = LEAST(m.usable, EXCLUDED.usable),
    host_ports_in_use = GREATEST(m.host_ports_in_use, EXCLUDED.host_ports_in_use),
    time_wait = GREATEST(m.time_wait, EXCLUDED.time_wait),
    reclaimable = GREATEST(m.reclaimable, EXCLUDED.reclaimable),
    states = (SELECT coalesce(jsonb_object_agg(key, n), '{}'::jsonb) FROM (
               SELECT key, max(value::int) AS n
               FROM (SELECT * FROM jsonb_each_text(m.states) UNION ALL SELECT * FROM jsonb_each_text(EXCLUDED.states)) u
               GROUP BY key) x),
    snapshots = m.snapshots + EXCLUDED.snapshots`;

const UPSERT_TUPLE_MINUTES_SQL = `
  INSERT INTO tuple_minutes AS m (host_id, minute, protocol, local_address, remote_address, remote_port, pressure, held)
  SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::int[], $7::float8[], $8::int[])
  ON CONFLICT (host_id, minute, protocol, local_address, remote_address, remote_port) DO UPDATE SET
    pressure = GREATEST(m.pressure, EXCLUDED.pressure),
    held = GREATEST(m.held, EXCLUDED.held)`;

/**
 * What the history writer stores after ingest: hosts' trends and the minute rollups. Hand-written
 * SQL run as it is (one round trip per statement, parameters as arrays): through Prisma's client,
 * the per-query work of these few large statements cost more API CPU than building them.
 */
@Injectable()
export class HistoryWritesRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  /** Folds minute rows into the rollups (maxima; lowest usable; summed snapshot counts), in one transaction. */
  async upsertMinutes(hosts: HostMinuteRow[], tuples: TupleMinuteRow[]): Promise<void> {
    if (hosts.length === 0 && tuples.length === 0) return;
    const iso = (ms: number) => new Date(ms).toISOString();
    await this.db.transaction().execute(async (tx) => {
      if (hosts.length > 0) {
        await tx.executeQuery(
          CompiledQuery.raw(UPSERT_HOST_MINUTES_SQL, [
            hosts.map((r) => r.hostId),
            hosts.map((r) => iso(r.minute)),
            hosts.map((r) => r.pressure),
            hosts.map((r) => r.held),
            hosts.map((r) => r.usable),
            hosts.map((r) => r.hostPortsInUse),
            hosts.map((r) => r.timeWait),
            hosts.map((r) => r.reclaimable),
            hosts.map((r) => JSON.stringify(r.states)),
            hosts.map((r) => r.snapshots),
          ]),
        );
      }
      if (tuples.length > 0) {
        await tx.executeQuery(
          CompiledQuery.raw(UPSERT_TUPLE_MINUTES_SQL, [
            tuples.map((r) => r.hostId),
            tuples.map((r) => iso(r.minute)),
            tuples.map((r) => r.protocol),
            tuples.map((r) => r.localAddress),
            tuples.map((r) => r.remoteAddress),
            tuples.map((r) => r.remotePort),
            tuples.map((r) => r.pressure),
            tuples.map((r) => r.held),
          ]),
        );
      }
    });
  }

  /**
   * Runs `update` on the stored trends of `ids` (null for a host without one yet) with those rows
   * locked, and saves what it returns, in one transaction: two API instances refreshing one host
   * never lose each other's minutes. The locks are on host_trends only, never on hosts rows, so
   * ingest batches writing the same hosts meanwhile never wait for them. Hosts deleted meanwhile
   * are skipped.
   */
  async updateTrends(ids: string[], update: (rows: TrendRow[]) => TrendRow[]): Promise<TrendRow[]> {
    return this.db.transaction().execute(async (tx) => {
      const locked = await tx
        .selectFrom('host_trends')
        .select(['host_id as id', (eb) => eb.ref('trend').$castTo<HostTrend | null>().as('trend')])
        .where('host_id', '=', sql<string>`ANY(${ids}::uuid[])`)
        .orderBy('host_id')
        .forUpdate()
        .execute();
      const known = new Set(locked.map((r) => r.id));
      const next = update([...locked, ...ids.filter((id) => !known.has(id)).map((id) => ({ id, trend: null }))]).filter(
        (r) => r.trend !== null,
      );
      if (next.length === 0) return [];
      // A host's first trend is inserted; one that appeared meanwhile (another instance) is overwritten.
      const { rows } = await tx.executeQuery<{ id: string }>(
        CompiledQuery.raw(
          `INSERT INTO host_trends (host_id, trend)
           SELECT x.id, x.trend FROM unnest($1::uuid[], $2::jsonb[]) AS x(id, trend) JOIN hosts h ON h.id = x.id
           ORDER BY x.id
           ON CONFLICT (host_id) DO UPDATE SET trend = EXCLUDED.trend
           RETURNING host_id AS id`,
          [next.map((r) => r.id), next.map((r) => JSON.stringify(r.trend))],
        ),
      );
      const written = new Set(rows.map((r) => r.id));
      return next.filter((r) => written.has(r.id));
    });
  }
}
