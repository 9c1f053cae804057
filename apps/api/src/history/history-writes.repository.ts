import { Inject, Injectable } from '@nestjs/common';
import type { HostTrend } from '@portpressure/protocol';
import { PrismaService } from '../database/prisma.service.ts';
import type { HostMinuteRow, TupleMinuteRow } from './minute-rollup.ts';

export interface TrendRow {
  id: string;
  trend: HostTrend | null;
}

/** What the history writer stores after ingest: hosts' trends and the minute rollups. */
@Injectable()
export class HistoryWritesRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Folds minute rows into the rollups (maxima; lowest usable; summed snapshot counts). */
  async upsertMinutes(hosts: HostMinuteRow[], tuples: TupleMinuteRow[]): Promise<void> {
    if (hosts.length === 0 && tuples.length === 0) return;
    const iso = (ms: number) => new Date(ms).toISOString();
    await this.prisma.$transaction([
      this.prisma.$executeRaw`
        INSERT INTO host_minutes AS m (host_id, minute, pressure, held, usable, host_ports_in_use, time_wait, reclaimable, states, snapshots)
        SELECT * FROM unnest(${hosts.map((r) => r.hostId)}::uuid[], ${hosts.map((r) => iso(r.minute))}::timestamptz[],
          ${hosts.map((r) => r.pressure)}::float8[], ${hosts.map((r) => r.held)}::int[], ${hosts.map((r) => r.usable)}::int[],
          ${hosts.map((r) => r.hostPortsInUse)}::int[], ${hosts.map((r) => r.timeWait)}::int[], ${hosts.map((r) => r.reclaimable)}::int[],
          ${hosts.map((r) => JSON.stringify(r.states))}::text[]::jsonb[], ${hosts.map((r) => r.snapshots)}::int[])
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
          snapshots = m.snapshots + EXCLUDED.snapshots`,
      this.prisma.$executeRaw`
        INSERT INTO tuple_minutes AS m (host_id, minute, protocol, local_address, remote_address, remote_port, pressure, held)
        SELECT * FROM unnest(${tuples.map((r) => r.hostId)}::uuid[], ${tuples.map((r) => iso(r.minute))}::timestamptz[],
          ${tuples.map((r) => r.protocol)}::text[], ${tuples.map((r) => r.localAddress)}::text[], ${tuples.map((r) => r.remoteAddress)}::text[],
          ${tuples.map((r) => r.remotePort)}::int[], ${tuples.map((r) => r.pressure)}::float8[], ${tuples.map((r) => r.held)}::int[])
        ON CONFLICT (host_id, minute, protocol, local_address, remote_address, remote_port) DO UPDATE SET
          pressure = GREATEST(m.pressure, EXCLUDED.pressure),
          held = GREATEST(m.held, EXCLUDED.held)`,
    ]);
  }

  /**
   * Runs `update` on the stored trends of `ids` with those rows locked, and saves what it returns,
   * in one transaction: two API instances refreshing one host never lose each other's minutes.
   */
  async updateTrends(ids: string[], update: (rows: TrendRow[]) => TrendRow[]): Promise<TrendRow[]> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<TrendRow[]>`
        SELECT id, trend FROM hosts WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
      const next = update(rows);
      if (next.length > 0) {
        await tx.$executeRaw`
          UPDATE hosts SET trend = x.trend
          FROM unnest(${next.map((r) => r.id)}::uuid[], ${next.map((r) => JSON.stringify(r.trend))}::jsonb[]) AS x(id, trend)
          WHERE hosts.id = x.id`;
      }
      return next;
    });
  }
}
