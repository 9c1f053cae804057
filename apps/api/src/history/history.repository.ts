import { Inject, Injectable } from '@nestjs/common';
import { TCP_STATES, type HostTrend, type PortReport, type TcpState } from '@portpressure/protocol';
import { CompiledQuery } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';
import { rawTupleBuckets, type RawSnapshotRow } from './raw-tuple-buckets.ts';
import { decodeReport, TupleDictionary, type TupleKey } from './snapshot-codec.ts';

export interface HistoryWindow {
  hostId: string;
  from: Date;
  to: Date;
  bucketSeconds: number;
  /** A namespace of the host other than its own (host_namespaces.ns_no): read from its reports instead. */
  nsNo?: number;
}

/**
 * The raw reports a window reads, as `<table> WHERE <the host's or one namespace's rows>`: the
 * host's own snapshots, or one namespace's (ns_no is an integer, checked here, never text).
 */
function rawRows(hostId: '$1', nsNo: number | undefined): string {
  if (nsNo === undefined) return `snapshots WHERE host_id = ${hostId}::uuid`;
  if (!Number.isSafeInteger(nsNo)) throw new Error(`not a namespace number: ${nsNo}`);
  return `namespace_snapshots WHERE host_id = ${hostId}::uuid AND ns_no = ${nsNo}`;
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

export interface Silence {
  from: number;
  to: number;
}

// Window queries take $1 host, $2 from, $3 to, $4 bucket seconds, and $5 when they need more (a limit).
const params = (w: HistoryWindow, extra?: number) => [w.hostId, w.from, w.to, w.bucketSeconds, ...(extra === undefined ? [] : [extra])];

/** Start of the bucket a row falls in, in ms since the epoch (buckets are aligned on `from`). */
const bucketStart = (column: string) =>
  `(extract(epoch FROM date_bin(make_interval(secs => $4::int), ${column}, $2::timestamptz)) * 1000)::float8`;

// One column per TCP state, from the constant list (never from input). (jsonb_to_record, one parse
// per row instead of one ->> per state, measured slower: a function scan per row.)
const STATE_JSON_MAXIMA = TCP_STATES.map((s) => `coalesce(max((states->>'${s}')::int), 0)::int AS "${s}"`).join(', ');

/** How the top tuples are ranked: worst first, ties broken by the tuple (the same in every tier). */
const TOP_TUPLE_RANK = `row_number() OVER (ORDER BY max(pressure) DESC, max(held) DESC, remote_address COLLATE "C", remote_port, local_address COLLATE "C")`;

/**
 * The top tuples' series (`series`: rank, t, pressure, held), one row per tuple worst first: its
 * identity from `top` and its buckets as one JSON array of three arrays (t, pressure, held, by t).
 * A day's five series are 3,555 buckets: as rows, the driver parsed seven text values for each
 * (10-16 ms of API CPU per request, measured); as JSON, one JSON.parse per tuple (3-4 ms with
 * tupleBuckets). float8 values are printed shortest-exact in JSON as in the text protocol, so
 * every number comes back bit for bit. Grouped by the integer rank alone: grouping by the address
 * texts would sort thousands of rows with the database's collation.
 */
const TOP_TUPLE_ROWS = `
  SELECT top.protocol, top.local_address AS "localAddress", top.remote_address AS "remoteAddress", top.remote_port AS "remotePort",
    agg.series
  FROM (
    SELECT rank, json_build_array(array_agg(t ORDER BY t), array_agg(pressure ORDER BY t), array_agg(held ORDER BY t)) AS series
    FROM series GROUP BY rank
  ) agg JOIN top USING (rank)
  ORDER BY agg.rank`;

/** A row of TOP_TUPLE_ROWS: one tuple and its buckets' t, pressure and held, by t. */
type TupleSeriesRow = Omit<TupleBucket, 't' | 'pressure' | 'held'> & { series: [number[], number[], number[]] };

/** TOP_TUPLE_ROWS' rows as buckets, tuple by tuple (worst first) and by t. */
function tupleBuckets(rows: TupleSeriesRow[]): TupleBucket[] {
  const buckets: TupleBucket[] = [];
  for (const { protocol, localAddress, remoteAddress, remotePort, series } of rows) {
    const [t, pressure, held] = series;
    for (let i = 0; i < t.length; i++) {
      buckets.push({ protocol, localAddress, remoteAddress, remotePort, t: t[i]!, pressure: pressure[i]!, held: held[i]! });
    }
  }
  return buckets;
}

/**
 * The top `$5` tuples of `source` (rows with protocol, addresses, port, pressure, held and `at`),
 * bucketed. Tuples are ranked once (a handful of groups), and the per-bucket series are grouped by
 * that integer rank: grouping thousands of rows by their address texts sorted them with the
 * database's collation, which took most of a long span's time.
 */
const topTuples = (source: string) => `
  WITH s AS MATERIALIZED (${source}),
  top AS (
    SELECT protocol, local_address, remote_address, remote_port, ${TOP_TUPLE_RANK} AS rank
    FROM s GROUP BY 1, 2, 3, 4
    ORDER BY rank LIMIT $5
  ),
  series AS (
    SELECT top.rank, ${bucketStart('s.at')} AS t, max(s.pressure) AS pressure, max(s.held)::int AS held
    FROM s JOIN top USING (protocol, local_address, remote_address, remote_port)
    GROUP BY 1, 2
  )
  ${TOP_TUPLE_ROWS}`;

/**
 * Gaps longer than `$4` seconds between consecutive `at` of `times` (which read $1 host, $2 from,
 * $3 to), in ms since the epoch; `after` is added to a gap's start.
 */
const silencesOf = (times: string, after: string) => `
  WITH times AS (${times}),
  steps AS (SELECT lag(at) OVER (ORDER BY at) AS prev, at FROM times)
  SELECT (extract(epoch FROM prev) * 1000)::float8 + ${after} AS "from", (extract(epoch FROM at) * 1000)::float8 AS "to"
  FROM steps
  WHERE prev IS NOT NULL AND at - prev > make_interval(secs => $4::int)
  ORDER BY prev`;

/** Where the hour rollup stands: hour rows cover the span before it, minute rows the rest. */
const HOUR_WATERMARK = `coalesce((SELECT until FROM rollup_watermarks WHERE tier = 'hour'), '-infinity'::timestamptz)`;
/** Rows of the hour tier over the window ($1 host, $2 from, $3 to): hours up to the watermark, then minutes. */
const hourTier = (hours: string, minutes: string, columns: string) => `
  SELECT hour AS at, ${columns} FROM ${hours} WHERE host_id = $1::uuid AND hour >= $2 AND hour < least($3::timestamptz, ${HOUR_WATERMARK})
  UNION ALL
  SELECT minute AS at, ${columns} FROM ${minutes} WHERE host_id = $1::uuid AND minute >= greatest($2::timestamptz, ${HOUR_WATERMARK}) AND minute < $3`;

/**
 * Spans longer than this (a day, the host page's default, included) rank their top tuples with
 * HOUR_RANKED_TOP_TUPLES; shorter ones hold at most a whole hour or two, nothing to save.
 */
const HOUR_RANKED_SPAN_MS = 3 * 3_600_000;

/**
 * Like topTuples over the minute rows of the window ($1 host, $2 from, $3 to, $4 bucket seconds,
 * $5 limit), for long spans: the ranking reads the hour tier wherever it holds exactly what the
 * minutes hold, and only the top tuples' minute rows are read for their series.
 *
 * An hour row stands for its minutes when the whole hour is inside the window, before the rollup's
 * watermark, and its snapshot count equals the sum of its minutes' counts: minute rows only grow
 * (maxima, counts added), so a late snapshot folded into an hour after its rollup shows as a count
 * the hour row does not have, and that hour is ranked from its minutes (the history writer stores
 * a finished minute's count with or after its tuple rows: MinuteRollupBatch.holdBackHostRows).
 * Every other part of the window (its first partial hour, the minutes past the watermark) is
 * ranked from minute rows too.
 * The maxima of hour rows are the maxima of their minutes, so the ranking and its ties are those of
 * all the window's minute rows, at a few rows per tuple and hour instead of sixty.
 */
const HOUR_RANKED_TOP_TUPLES = `
  WITH verified AS MATERIALIZED (
    SELECT hh.hour FROM host_hours hh
    WHERE hh.host_id = $1::uuid AND hh.hour >= $2 AND hh.hour < $3
      AND hh.hour + interval '1 hour' <= least($3::timestamptz, ${HOUR_WATERMARK})
      AND hh.snapshots = (SELECT sum(m.snapshots) FROM host_minutes m
                          WHERE m.host_id = $1::uuid AND m.minute >= hh.hour AND m.minute < hh.hour + interval '1 hour')
  ),
  -- the parts of the window no trusted hour covers
  rest AS (
    SELECT lo, hi FROM (
      SELECT coalesce(lag(hour + interval '1 hour') OVER (ORDER BY hour), $2::timestamptz) AS lo, hour AS hi FROM verified
      UNION ALL
      SELECT coalesce(max(hour) + interval '1 hour', $2::timestamptz), $3::timestamptz FROM verified
    ) r WHERE lo < hi
  ),
  s AS (
    SELECT protocol, local_address, remote_address, remote_port, pressure, held
    FROM tuple_hours WHERE host_id = $1::uuid AND hour >= $2 AND hour < $3 AND hour IN (SELECT hour FROM verified)
    UNION ALL
    SELECT m.protocol, m.local_address, m.remote_address, m.remote_port, m.pressure, m.held
    FROM rest CROSS JOIN LATERAL (
      SELECT protocol, local_address, remote_address, remote_port, pressure, held FROM tuple_minutes
      WHERE host_id = $1::uuid AND minute >= rest.lo AND minute < rest.hi
      OFFSET 0) m -- kept a subquery: each range an index range scan, not one scan of all the host's rows
  ),
  top AS (
    SELECT protocol, local_address, remote_address, remote_port, ${TOP_TUPLE_RANK} AS rank
    FROM s GROUP BY 1, 2, 3, 4
    ORDER BY rank LIMIT $5
  ),
  -- only the top tuples' minute rows, each tuple's window one range of tuple_minutes_series_idx read
  -- index-only (the tuple and the window are its key; pressure and held are in it too); grouped by
  -- the bucket's timestamp, converted once per bucket
  series AS (
    SELECT rank, (extract(epoch FROM bucket) * 1000)::float8 AS t, pressure, held FROM (
      SELECT top.rank, date_bin(make_interval(secs => $4::int), m.minute, $2::timestamptz) AS bucket,
        max(m.pressure) AS pressure, max(m.held)::int AS held
      FROM top JOIN tuple_minutes m ON m.host_id = $1::uuid
        AND (m.protocol, m.local_address, m.remote_address, m.remote_port) = (top.protocol, top.local_address, top.remote_address, top.remote_port)
        AND m.minute >= $2 AND m.minute < $3
      GROUP BY 1, 2) b
  )
  ${TOP_TUPLE_ROWS}`;

/** Queries of the raw tier, over the host's own snapshots or one namespace's reports. */
const RAW_SQL = (rows: string) => ({
  hostBuckets: `
    SELECT ${bucketStart('taken_at')} AS t, max(pressure) AS pressure, max(round(pressure * usable))::int AS held,
      min(usable) AS usable, max(host_ports_in_use) AS "hostPortsInUse"
    FROM ${rows} AND taken_at >= $2 AND taken_at < $3
    GROUP BY 1 ORDER BY 1`,
  rawReports: `
    SELECT (extract(epoch FROM taken_at) * 1000)::float8 AS at, usable, report
    FROM ${rows} AND taken_at >= $2 AND taken_at < $3`,
  silences: silencesOf(
    `(SELECT taken_at AS at FROM ${rows} AND taken_at < $2 ORDER BY taken_at DESC LIMIT 1)
     UNION ALL
     SELECT taken_at FROM ${rows} AND taken_at >= $2 AND taken_at < $3`,
    '0',
  ),
  lastTakenAt: `SELECT (extract(epoch FROM taken_at) * 1000)::float8 AS t FROM ${rows} AND taken_at < $2 ORDER BY taken_at DESC LIMIT 1`,
  latest: `SELECT seq, taken_at AS "takenAt", pressure, usable, host_ports_in_use AS "hostPortsInUse", report
           FROM ${rows} ORDER BY taken_at DESC, seq DESC LIMIT 1`,
});
const HOST_RAW_SQL = RAW_SQL(rawRows('$1', undefined));
const rawSql = (nsNo: number | undefined) => (nsNo === undefined ? HOST_RAW_SQL : RAW_SQL(rawRows('$1', nsNo)));

const SQL = {
  dictionary: `
    SELECT tuple_no AS "tupleNo", protocol, local_address AS "localAddress", remote_address AS "remoteAddress", remote_port AS "remotePort"
    FROM host_tuples WHERE host_id = $1::uuid`,
  rollupBuckets: `
    SELECT ${bucketStart('minute')} AS t,
      max(pressure) AS pressure, max(held)::int AS held, min(usable)::int AS usable,
      max(host_ports_in_use)::int AS "hostPortsInUse", max(time_wait)::int AS "timeWait",
      max(reclaimable)::int AS reclaimable, ${STATE_JSON_MAXIMA}
    FROM host_minutes
    WHERE host_id = $1::uuid AND minute >= $2 AND minute < $3
    GROUP BY 1 ORDER BY 1`,
  rollupTopTupleBuckets: topTuples(`
    SELECT protocol, local_address, remote_address, remote_port, pressure, held, minute AS at
    FROM tuple_minutes WHERE host_id = $1::uuid AND minute >= $2 AND minute < $3`),
  rollupTopTupleBucketsRankedByHours: HOUR_RANKED_TOP_TUPLES,
  hourBuckets: `
    WITH src AS (${hourTier('host_hours', 'host_minutes', 'pressure, held, usable, host_ports_in_use, time_wait, reclaimable, states')})
    SELECT ${bucketStart('at')} AS t,
      max(pressure) AS pressure, max(held)::int AS held, min(usable)::int AS usable,
      max(host_ports_in_use)::int AS "hostPortsInUse", max(time_wait)::int AS "timeWait",
      max(reclaimable)::int AS reclaimable, ${STATE_JSON_MAXIMA}
    FROM src GROUP BY 1 ORDER BY 1`,
  hourTopTupleBuckets: topTuples(`
    SELECT protocol, local_address, remote_address, remote_port, pressure, held, at
    FROM (${hourTier('tuple_hours', 'tuple_minutes', 'protocol, local_address, remote_address, remote_port, pressure, held')}) src`),
  // A rollup row covers up to its hour or minute: a silence starts at the end of it.
  hourSilences: `
    WITH times AS (
      (SELECT hour AS at, 3600 AS len FROM host_hours WHERE host_id = $1::uuid AND hour < $2 ORDER BY hour DESC LIMIT 1)
      UNION ALL
      SELECT hour, 3600 FROM host_hours WHERE host_id = $1::uuid AND hour >= $2 AND hour < least($3::timestamptz, ${HOUR_WATERMARK})
      UNION ALL
      SELECT minute, 60 FROM host_minutes
      WHERE host_id = $1::uuid AND minute >= greatest($2::timestamptz, ${HOUR_WATERMARK}) AND minute < $3
    ),
    steps AS (SELECT lag(at + make_interval(secs => len)) OVER (ORDER BY at) AS prev_end, at FROM times)
    SELECT (extract(epoch FROM prev_end) * 1000)::float8 AS "from", (extract(epoch FROM at) * 1000)::float8 AS "to"
    FROM steps
    WHERE prev_end IS NOT NULL AND at - prev_end > make_interval(secs => $4::int)
    ORDER BY prev_end`,
  // A minute row covers up to a minute of data: a silence starts at the end of its minute.
  rollupSilences: silencesOf(
    `(SELECT minute AS at FROM host_minutes WHERE host_id = $1::uuid AND minute < $2 ORDER BY minute DESC LIMIT 1)
     UNION ALL
     SELECT minute FROM host_minutes WHERE host_id = $1::uuid AND minute >= $2 AND minute < $3`,
    '60000',
  ),
};

/**
 * Reads a host's history, downsampled in SQL: rows are grouped into equal buckets with date_bin
 * and each bucket keeps the MAXIMUM of every series, so a one-snapshot spike survives any zoom
 * level. Short spans read snapshots through their (host_id, taken_at) index, and their tuples by key;
 * long ones the minute rollups through their primary keys, and the top tuples' series through
 * tuple_minutes_series_idx. Hand-written SQL run as it is: these answers are thousands of small
 * rows, and Prisma's per-value mapping cost more than the queries.
 */
@Injectable()
export class HistoryRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  private async rows<R extends object>(sql: string, values: unknown[]): Promise<R[]> {
    return (await this.db.executeQuery<R>(CompiledQuery.raw(sql, values))).rows;
  }

  hostBuckets(w: HistoryWindow): Promise<HostBucket[]> {
    return this.rows(rawSql(w.nsNo).hostBuckets, params(w));
  }

  /**
   * From the snapshots themselves: TIME_WAIT, reclaimable and state counts of the listed tuples
   * (summed per snapshot, then the bucket's highest), and the `limit` tuples with the highest
   * pressure in the window, bucketed the same way. The compact snapshots are read once and
   * decoded here; nothing above the repository sees their encoding.
   */
  async rawTupleBuckets(w: HistoryWindow, limit: number): Promise<{ states: StateBucket[]; tuples: TupleBucket[] }> {
    const [rows, dictionary] = await Promise.all([
      this.rows<RawSnapshotRow>(rawSql(w.nsNo).rawReports, [w.hostId, w.from, w.to]),
      this.dictionary(w.hostId),
    ]);
    return rawTupleBuckets(rows, (n) => dictionary.tupleOf(n), w.from.getTime(), w.bucketSeconds * 1000, limit) as {
      states: StateBucket[];
      tuples: TupleBucket[];
    };
  }

  /** A host's tuple dictionary, as stored. */
  private async dictionary(hostId: string): Promise<TupleDictionary> {
    const dictionary = new TupleDictionary();
    for (const r of await this.rows<{ tupleNo: number } & TupleKey>(SQL.dictionary, [hostId])) {
      dictionary.add(r.tupleNo, {
        protocol: r.protocol,
        localAddress: r.localAddress,
        remoteAddress: r.remoteAddress,
        remotePort: r.remotePort,
      });
    }
    return dictionary;
  }

  /**
   * Silences longer than `thresholdSeconds` between consecutive snapshots, including the one
   * running into the window from the last snapshot before it. Times in ms since the epoch.
   */
  silences(w: HistoryWindow, thresholdSeconds: number): Promise<Silence[]> {
    return this.rows(rawSql(w.nsNo).silences, [w.hostId, w.from, w.to, thresholdSeconds]);
  }

  /**
   * Host series and state breakdown from the minute rollups, in one pass (windows over two hours;
   * `w.from` is minute-aligned and `w.bucketSeconds` a multiple of 60).
   */
  rollupBuckets(w: HistoryWindow): Promise<(HostBucket & StateBucket)[]> {
    return this.rows(SQL.rollupBuckets, params(w));
  }

  /**
   * Like topTupleBuckets, from the per-minute tuple rollup. Over three hours the ranking is read from
   * the hour tier where it agrees with the minutes (HOUR_RANKED_TOP_TUPLES): the same answer, from
   * a sixtieth of the rows.
   */
  async rollupTopTupleBuckets(w: HistoryWindow, limit: number): Promise<TupleBucket[]> {
    const long = w.to.getTime() - w.from.getTime() > HOUR_RANKED_SPAN_MS;
    const sql = long ? SQL.rollupTopTupleBucketsRankedByHours : SQL.rollupTopTupleBuckets;
    return tupleBuckets(await this.rows<TupleSeriesRow>(sql, params(w, limit)));
  }

  /**
   * Silences from the minute rollups: minutes without data for longer than the threshold. Exact
   * to the minute, which is finer than any bucket of a span drawn from rollups.
   */
  rollupSilences(w: HistoryWindow, thresholdSeconds: number): Promise<Silence[]> {
    return this.rows(SQL.rollupSilences, [w.hostId, w.from, w.to, 60 + thresholdSeconds]);
  }

  /** Host series and state breakdown from the hour tier (hour rows, then minute rows past the rollup's watermark). */
  hourBuckets(w: HistoryWindow): Promise<(HostBucket & StateBucket)[]> {
    return this.rows(SQL.hourBuckets, params(w));
  }

  async hourTopTupleBuckets(w: HistoryWindow, limit: number): Promise<TupleBucket[]> {
    return tupleBuckets(await this.rows<TupleSeriesRow>(SQL.hourTopTupleBuckets, params(w, limit)));
  }

  /** Silences longer than the threshold after the end of each hour (or minute) row. */
  hourSilences(w: HistoryWindow, thresholdSeconds: number): Promise<Silence[]> {
    return this.rows(SQL.hourSilences, [w.hostId, w.from, w.to, thresholdSeconds]);
  }

  /** The host's (or one of its namespaces') newest snapshot before `before` (ms), or null. */
  async lastTakenAt(hostId: string, before: Date, nsNo?: number): Promise<number | null> {
    const rows = await this.rows<{ t: number }>(rawSql(nsNo).lastTakenAt, [hostId, before]);
    return rows[0]?.t ?? null;
  }

  async trendOf(hostId: string): Promise<HostTrend | null> {
    const rows = await this.rows<{ trend: HostTrend | null }>('SELECT trend FROM host_trends WHERE host_id = $1::uuid', [hostId]);
    return rows[0]?.trend ?? null;
  }

  /**
   * The newest snapshot of a host (or of one of its namespaces), rebuilt as the report the agent
   * sent (its listed tuples included).
   */
  async latestSnapshot(hostId: string, nsNo?: number): Promise<LatestSnapshot | null> {
    const [rows, dictionary] = await Promise.all([
      this.rows<{ seq: string; takenAt: Date; pressure: number; usable: number; hostPortsInUse: number; report: Buffer }>(
        rawSql(nsNo).latest,
        [hostId],
      ),
      this.dictionary(hostId),
    ]);
    const s = rows[0];
    if (!s) return null;
    return { seq: Number(s.seq), takenAt: s.takenAt, report: decodeReport(s.report, s, (n) => dictionary.tupleOf(n)) };
  }
}
