import { TCP_STATES, type TcpState } from '@portpressure/protocol';
import { scanTuples, type TupleKey } from './snapshot-codec.ts';

/** A raw snapshot as read for history: its time (ms since the epoch), usable ports and packed report. */
export interface RawSnapshotRow {
  at: number;
  usable: number;
  report: Buffer;
}

export type StateBucketRow = { t: number; timeWait: number; reclaimable: number } & Record<TcpState, number>;

export interface TupleBucketRow extends TupleKey {
  t: number;
  pressure: number;
  held: number;
}

/** Start of the bucket `at` falls in: buckets of `bucketMs` aligned on `from` (PostgreSQL's date_bin). */
const bucketOf = (at: number, from: number, bucketMs: number) => from + Math.floor((at - from) / bucketMs) * bucketMs;

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Per-snapshot sums: TIME_WAIT, reclaimable, then each TCP state. */
const SUMS = 2 + TCP_STATES.length;

/**
 * From raw snapshots, in two passes over their packed tuples (no per-tuple objects):
 * - TIME_WAIT, reclaimable and sockets by state of the listed tuples, summed per snapshot, then
 *   each bucket's highest (snapshots without tuples give no row; their bucket reads as zeros);
 * - the `limit` tuples with the highest pressure (then held ports, then remote address, port and
 *   local address in byte order), each as its per-bucket maxima, worst first, in time order.
 */
export function rawTupleBuckets(
  rows: RawSnapshotRow[],
  tupleOf: (tupleNo: number) => TupleKey,
  from: number,
  bucketMs: number,
  limit: number,
): { states: StateBucketRow[]; tuples: TupleBucketRow[] } {
  const buckets = new Map<number, Float64Array>();
  const sums = new Float64Array(SUMS);
  const overall = new Map<number, { pressure: number; held: number }>();
  let listed = 0;
  const collect = (tupleNo: number, used: number, timeWait: number, reclaimable: number, pressure: number, states: Int32Array) => {
    listed += 1;
    sums[0]! += timeWait;
    sums[1]! += reclaimable;
    for (let i = 0; i < states.length; i++) sums[2 + i]! += states[i]!;
    const held = used - reclaimable;
    const o = overall.get(tupleNo);
    if (!o) overall.set(tupleNo, { pressure, held });
    else {
      if (pressure > o.pressure) o.pressure = pressure;
      if (held > o.held) o.held = held;
    }
  };
  for (const row of rows) {
    sums.fill(0);
    listed = 0;
    scanTuples(row.report, row.usable, collect);
    if (listed === 0) continue;
    const t = bucketOf(row.at, from, bucketMs);
    const b = buckets.get(t);
    if (!b) buckets.set(t, Float64Array.from(sums));
    else for (let i = 0; i < SUMS; i++) if (sums[i]! > b[i]!) b[i] = sums[i]!;
  }
  const states = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, b]) => {
      const row = { t, timeWait: b[0]!, reclaimable: b[1]! } as StateBucketRow;
      TCP_STATES.forEach((s, i) => (row[s] = b[2 + i]!));
      return row;
    });

  const ranked = [...overall.entries()]
    .map(([tupleNo, o]) => ({ tupleNo, ...o, key: tupleOf(tupleNo) }))
    .sort(
      (a, b) =>
        b.pressure - a.pressure ||
        b.held - a.held ||
        byText(a.key.remoteAddress, b.key.remoteAddress) ||
        a.key.remotePort - b.key.remotePort ||
        byText(a.key.localAddress, b.key.localAddress),
    )
    .slice(0, limit);
  const rank = new Map(ranked.map((r, i) => [r.tupleNo, i]));
  const series = ranked.map(() => new Map<number, { pressure: number; held: number }>());
  let bucket = 0;
  const pick = (tupleNo: number, used: number, _timeWait: number, reclaimable: number, pressure: number) => {
    const i = rank.get(tupleNo);
    if (i === undefined) return;
    const held = used - reclaimable;
    const b = series[i]!.get(bucket);
    if (!b) series[i]!.set(bucket, { pressure, held });
    else {
      if (pressure > b.pressure) b.pressure = pressure;
      if (held > b.held) b.held = held;
    }
  };
  if (ranked.length > 0) {
    for (const row of rows) {
      bucket = bucketOf(row.at, from, bucketMs);
      scanTuples(row.report, row.usable, pick);
    }
  }
  const tuples = ranked.flatMap((r, i) =>
    [...series[i]!.entries()]
      .sort(([a], [b]) => a - b)
      .map(([t, b]) => ({
        protocol: r.key.protocol,
        localAddress: r.key.localAddress,
        remoteAddress: r.key.remoteAddress,
        remotePort: r.key.remotePort,
        t,
        pressure: b.pressure,
        held: b.held,
      })),
  );
  return { states, tuples };
}
