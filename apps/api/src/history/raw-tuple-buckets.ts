import { TCP_STATES } from '@portpressure/protocol';
import type { EncodedTuple, TupleKey } from './snapshot-codec.ts';

/** A raw snapshot's decoded tuples, at its time (ms since the epoch). */
export interface DecodedSnapshot {
  at: number;
  tuples: EncodedTuple[];
}

export interface StateBucketRow {
  t: number;
  timeWait: number;
  reclaimable: number;
  [state: string]: number;
}

export interface TupleBucketRow extends TupleKey {
  t: number;
  pressure: number;
  held: number;
}

/** Start of the bucket `at` falls in: buckets of `bucketMs` aligned on `from` (PostgreSQL's date_bin). */
const bucketOf = (at: number, from: number, bucketMs: number) => from + Math.floor((at - from) / bucketMs) * bucketMs;

/**
 * TIME_WAIT, reclaimable and sockets by state of the listed tuples: summed per snapshot, then each
 * bucket's highest. Snapshots without tuples give no row (their bucket reads as zeros).
 */
export function stateBuckets(snapshots: DecodedSnapshot[], from: number, bucketMs: number): StateBucketRow[] {
  const buckets = new Map<number, StateBucketRow>();
  for (const s of snapshots) {
    if (s.tuples.length === 0) continue;
    const sums: Record<string, number> = { timeWait: 0, reclaimable: 0 };
    for (const state of TCP_STATES) sums[state] = 0;
    for (const t of s.tuples) {
      sums.timeWait! += t.timeWait;
      sums.reclaimable! += t.reclaimable;
      for (const state of TCP_STATES) sums[state]! += t.states[state] ?? 0;
    }
    const t = bucketOf(s.at, from, bucketMs);
    const b = buckets.get(t);
    if (!b) {
      buckets.set(t, { t, timeWait: sums.timeWait!, reclaimable: sums.reclaimable!, ...sums });
      continue;
    }
    for (const [k, v] of Object.entries(sums)) b[k] = Math.max(b[k] ?? 0, v);
  }
  return [...buckets.values()].sort((a, b) => a.t - b.t);
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The `limit` tuples with the highest pressure over the snapshots (then held ports, then remote
 * address, port and local address in byte order), each as its per-bucket maxima, worst tuple
 * first and each series in time order.
 */
export function topTupleBuckets(
  snapshots: DecodedSnapshot[],
  tupleOf: (tupleNo: number) => TupleKey,
  from: number,
  bucketMs: number,
  limit: number,
): TupleBucketRow[] {
  const overall = new Map<number, { pressure: number; held: number }>();
  for (const s of snapshots) {
    for (const t of s.tuples) {
      const held = t.used - t.reclaimable;
      const o = overall.get(t.tupleNo);
      if (!o) overall.set(t.tupleNo, { pressure: t.pressure, held });
      else {
        o.pressure = Math.max(o.pressure, t.pressure);
        o.held = Math.max(o.held, held);
      }
    }
  }
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
  for (const s of snapshots) {
    const t = bucketOf(s.at, from, bucketMs);
    for (const x of s.tuples) {
      const i = rank.get(x.tupleNo);
      if (i === undefined) continue;
      const held = x.used - x.reclaimable;
      const b = series[i]!.get(t);
      if (!b) series[i]!.set(t, { pressure: x.pressure, held });
      else {
        b.pressure = Math.max(b.pressure, x.pressure);
        b.held = Math.max(b.held, held);
      }
    }
  }
  return ranked.flatMap((r, i) =>
    [...series[i]!.entries()]
      .sort(([a], [b]) => a - b)
      .map(([t, b]) => ({ ...r.key, t, pressure: b.pressure, held: b.held })),
  );
}
