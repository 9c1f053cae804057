import { Inject, Injectable } from '@nestjs/common';
import { TCP_STATES, type HostTrend, type PortReport, type TcpState, type TupleUsage } from '@portpressure/protocol';
import { PrismaService } from '../database/prisma.service.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { HostMinuteRow, TupleMinuteRow } from './minute-rollup.ts';

export interface HistoryWindow {
  hostId: string;
  from: Date;
  to: Date;
  bucketSeconds: number;
}

export interface HostBucket {
  t: number;
  pressure: number;
  held: number;
  usable: number;
  hostPortsInUse: number;
}

export type StateBucket = { t: number; timeWait: number; reclaimable: number } & Record<TcpState, number>;

export interface TupleBucket {
  protocol: 'tcp';
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
  t: number;
  pressure: number;
  held: number;
}

export interface LatestSnapshot {
  seq: number;
  takenAt: Date;
  report: PortReport;
}

export interface TrendRow {
  id: string;
  trend: HostTrend | null;
}

/** Start of the bucket a row falls in, in ms since the epoch (buckets are aligned on `from`). */
const bucketStart = (w: HistoryWindow, column = Prisma.raw('taken_at')) =>
  Prisma.sql`(extract(epoch FROM date_bin(make_interval(secs => ${w.bucketSeconds}), ${column}, ${w.from}::timestamptz)) * 1000)::float8`;
const MINUTE_COLUMN = Prisma.raw('minute');

// One column per TCP state, from the constant list (never from input), for the per-snapshot sums.
const STATE_SUMS = Prisma.raw(
  TCP_STATES.map((s) => `sum(coalesce((states->>'${s}')::int, 0))::int AS "${s}"`).join(',\n'),
);
const STATE_MAXIMA = Prisma.raw(TCP_STATES.map((s) => `max("${s}")::int AS "${s}"`).join(', '));
const STATE_JSON_MAXIMA = Prisma.raw(TCP_STATES.map((s) => `coalesce(max((states->>'${s}')::int), 0)::int AS "${s}"`).join(', '));

/**
 * Reads a host's history, downsampled in SQL: rows are grouped into equal buckets with date_bin
 * and each bucket keeps the MAXIMUM of every series, so a one-snapshot spike survives any zoom
 * level. All reads go through the (host_id, taken_at) indexes of snapshots and tuple_samples.
 */
@Injectable()
export class HistoryRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  hostBuckets(w: HistoryWindow): Promise<HostBucket[]> {
    return this.prisma.$queryRaw<HostBucket[]>`
      SELECT ${bucketStart(w)} AS t,
        max(pressure) AS pressure,
        max(round(pressure * usable))::int AS held,
        min(usable) AS usable,
        max(host_ports_in_use) AS "hostPortsInUse"
      FROM snapshots
      WHERE host_id = ${w.hostId}::uuid AND taken_at >= ${w.from} AND taken_at < ${w.to}
      GROUP BY 1 ORDER BY 1`;
  }

  /** TIME_WAIT, reclaimable and state counts of the listed tuples: summed per snapshot, then the bucket's highest. */
  stateBuckets(w: HistoryWindow): Promise<StateBucket[]> {
    return this.prisma.$queryRaw<StateBucket[]>`
      WITH per_snapshot AS (
        SELECT taken_at, sum(time_wait)::int AS time_wait, sum(reclaimable)::int AS reclaimable, ${STATE_SUMS}
        FROM tuple_samples
        WHERE host_id = ${w.hostId}::uuid AND taken_at >= ${w.from} AND taken_at < ${w.to}
        GROUP BY snapshot_id, taken_at
      )
      SELECT ${bucketStart(w)} AS t, max(time_wait)::int AS "timeWait", max(reclaimable)::int AS reclaimable, ${STATE_MAXIMA}
      FROM per_snapshot GROUP BY 1 ORDER BY 1`;
  }

  /** The `limit` tuples with the highest pressure in the window, bucketed the same way. */
  topTupleBuckets(w: HistoryWindow, limit: number): Promise<TupleBucket[]> {
    return this.prisma.$queryRaw<TupleBucket[]>`
      WITH s AS MATERIALIZED (
        SELECT protocol, local_address, remote_address, remote_port, pressure, used - reclaimable AS held, taken_at
        FROM tuple_samples
        WHERE host_id = ${w.hostId}::uuid AND taken_at >= ${w.from} AND taken_at < ${w.to}
      ),
      top AS (
        SELECT protocol, local_address, remote_address, remote_port, max(pressure) AS worst, max(held) AS most
        FROM s GROUP BY 1, 2, 3, 4
        ORDER BY worst DESC, most DESC, remote_address, remote_port, local_address LIMIT ${limit}
      )
      SELECT s.protocol, s.local_address AS "localAddress", s.remote_address AS "remoteAddress",
        s.remote_port AS "remotePort", ${bucketStart(w)} AS t, max(s.pressure) AS pressure, max(s.held)::int AS held,
        min(top.worst) AS worst, min(top.most) AS most
      FROM s JOIN top USING (protocol, local_address, remote_address, remote_port)
      GROUP BY 1, 2, 3, 4, 5
      ORDER BY worst DESC, most DESC, "remoteAddress", "remotePort", "localAddress", t`;
  }

  /**
   * Silences longer than `thresholdSeconds` between consecutive snapshots, including the one
   * running into the window from the last snapshot before it. Times in ms since the epoch.
   */
  async silences(w: HistoryWindow, thresholdSeconds: number): Promise<{ from: number; to: number }[]> {
    return this.prisma.$queryRaw<{ from: number; to: number }[]>`
      WITH times AS (
        (SELECT taken_at FROM snapshots WHERE host_id = ${w.hostId}::uuid AND taken_at < ${w.from}
         ORDER BY taken_at DESC LIMIT 1)
        UNION ALL
        SELECT taken_at FROM snapshots WHERE host_id = ${w.hostId}::uuid AND taken_at >= ${w.from} AND taken_at < ${w.to}
      ),
      steps AS (SELECT lag(taken_at) OVER (ORDER BY taken_at) AS prev, taken_at FROM times)
      SELECT (extract(epoch FROM prev) * 1000)::float8 AS "from", (extract(epoch FROM taken_at) * 1000)::float8 AS "to"
      FROM steps
      WHERE prev IS NOT NULL AND taken_at - prev > make_interval(secs => ${thresholdSeconds})
      ORDER BY prev`;
  }

  /**
   * Host series and state breakdown from the minute rollups, in one pass (windows over two hours;
   * `w.from` is minute-aligned and `w.bucketSeconds` a multiple of 60).
   */
  rollupBuckets(w: HistoryWindow): Promise<(HostBucket & StateBucket)[]> {
    return this.prisma.$queryRaw<(HostBucket & StateBucket)[]>`
      SELECT ${bucketStart(w, MINUTE_COLUMN)} AS t,
        max(pressure) AS pressure, max(held)::int AS held, min(usable)::int AS usable,
        max(host_ports_in_use)::int AS "hostPortsInUse", max(time_wait)::int AS "timeWait",
        max(reclaimable)::int AS reclaimable, ${STATE_JSON_MAXIMA}
      FROM host_minutes
      WHERE host_id = ${w.hostId}::uuid AND minute >= ${w.from} AND minute < ${w.to}
      GROUP BY 1 ORDER BY 1`;
  }

  /** Like topTupleBuckets, from the per-minute tuple rollup. */
  rollupTopTupleBuckets(w: HistoryWindow, limit: number): Promise<TupleBucket[]> {
    return this.prisma.$queryRaw<TupleBucket[]>`
      WITH s AS MATERIALIZED (
        SELECT protocol, local_address, remote_address, remote_port, pressure, held, minute
        FROM tuple_minutes
        WHERE host_id = ${w.hostId}::uuid AND minute >= ${w.from} AND minute < ${w.to}
      ),
      top AS (
        SELECT protocol, local_address, remote_address, remote_port, max(pressure) AS worst, max(held) AS most
        FROM s GROUP BY 1, 2, 3, 4
        ORDER BY worst DESC, most DESC, remote_address, remote_port, local_address LIMIT ${limit}
      )
      SELECT s.protocol, s.local_address AS "localAddress", s.remote_address AS "remoteAddress",
        s.remote_port AS "remotePort", ${bucketStart(w, MINUTE_COLUMN)} AS t, max(s.pressure) AS pressure, max(s.held)::int AS held,
        min(top.worst) AS worst, min(top.most) AS most
      FROM s JOIN top USING (protocol, local_address, remote_address, remote_port)
      GROUP BY 1, 2, 3, 4, 5
      ORDER BY worst DESC, most DESC, "remoteAddress", "remotePort", "localAddress", t`;
  }

  /**
   * Silences from the minute rollups: a minute without data for longer than the threshold. Exact
   * to the minute, which is finer than any bucket of a span drawn from rollups.
   */
  rollupSilences(w: HistoryWindow, thresholdSeconds: number): Promise<{ from: number; to: number }[]> {
    return this.prisma.$queryRaw<{ from: number; to: number }[]>`
      WITH times AS (
        (SELECT minute FROM host_minutes WHERE host_id = ${w.hostId}::uuid AND minute < ${w.from}
         ORDER BY minute DESC LIMIT 1)
        UNION ALL
        SELECT minute FROM host_minutes WHERE host_id = ${w.hostId}::uuid AND minute >= ${w.from} AND minute < ${w.to}
      ),
      steps AS (SELECT lag(minute) OVER (ORDER BY minute) AS prev, minute FROM times)
      SELECT (extract(epoch FROM prev) * 1000)::float8 + 60000 AS "from", (extract(epoch FROM minute) * 1000)::float8 AS "to"
      FROM steps
      WHERE prev IS NOT NULL AND minute - prev > make_interval(secs => ${60 + thresholdSeconds})
      ORDER BY prev`;
  }

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

  /** The host's newest snapshot before `before` (ms), or null. */
  async lastTakenAt(hostId: string, before: Date): Promise<number | null> {
    const rows = await this.prisma.$queryRaw<{ t: number }[]>`
      SELECT (extract(epoch FROM taken_at) * 1000)::float8 AS t FROM snapshots
      WHERE host_id = ${hostId}::uuid AND taken_at < ${before} ORDER BY taken_at DESC LIMIT 1`;
    return rows[0]?.t ?? null;
  }

  /** The newest snapshot of a host, rebuilt as the report the agent sent (its listed tuples included). */
  async latestSnapshot(hostId: string): Promise<LatestSnapshot | null> {
    const rows = await this.prisma.$queryRaw<
      {
        id: bigint;
        seq: bigint;
        takenAt: Date;
        source: PortReport['source'];
        rangeLow: number;
        rangeHigh: number;
        reservedPorts: string;
        reservedInRange: number;
        capacity: number;
        bindOwned: number;
        usable: number;
        hostPortsInUse: number;
        pressure: number;
        tupleCount: number;
        udpUsed: number;
        sysctls: PortReport['sysctls'];
      }[]
    >`
      SELECT id, seq, taken_at AS "takenAt", source, range_low AS "rangeLow", range_high AS "rangeHigh",
        reserved_ports AS "reservedPorts", reserved_in_range AS "reservedInRange", capacity, bind_owned AS "bindOwned",
        usable, host_ports_in_use AS "hostPortsInUse", pressure, tuple_count AS "tupleCount", udp_used AS "udpUsed", sysctls
      FROM snapshots WHERE host_id = ${hostId}::uuid ORDER BY taken_at DESC, seq DESC LIMIT 1`;
    const s = rows[0];
    if (!s) return null;
    const tuples = await this.prisma.$queryRaw<TupleUsage[]>`
      SELECT protocol, local_address AS "localAddress", remote_address AS "remoteAddress", remote_port AS "remotePort",
        used, time_wait AS "timeWait", reclaimable, pressure, states
      FROM tuple_samples WHERE snapshot_id = ${s.id}
      ORDER BY pressure DESC, used DESC, remote_address, remote_port, local_address`;
    return {
      seq: Number(s.seq),
      takenAt: s.takenAt,
      report: {
        source: s.source,
        range: { low: s.rangeLow, high: s.rangeHigh },
        reservedPorts: s.reservedPorts,
        reservedInRange: s.reservedInRange,
        capacity: s.capacity,
        bindOwned: s.bindOwned,
        usable: s.usable,
        hostPortsInUse: s.hostPortsInUse,
        pressure: s.pressure,
        sysctls: s.sysctls,
        tuples,
        tupleCount: s.tupleCount,
        udp: { used: s.udpUsed, capacity: s.capacity, pressure: s.capacity > 0 ? Math.min(1, s.udpUsed / s.capacity) : 0 },
      },
    };
  }

  async trendOf(hostId: string): Promise<HostTrend | null> {
    const rows = await this.prisma.$queryRaw<TrendRow[]>`SELECT id, trend FROM hosts WHERE id = ${hostId}::uuid`;
    return rows[0]?.trend ?? null;
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
