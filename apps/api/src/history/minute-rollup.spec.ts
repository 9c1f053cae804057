import type { Snapshot, TupleUsage } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { aTupleTo } from '../../../../packages/protocol/src/test-factories.ts';
import { MinuteRollupBatch, ROLLUP_TUPLES_PER_SNAPSHOT } from './minute-rollup.ts';

const T0 = Date.parse('2026-11-21T10:00:00Z');

const tuple = (remotePort: number, used: number, timeWait = 0, reclaimable = 0): TupleUsage =>
  aTupleTo(remotePort, used, { timeWait, reclaimable });

function snapshot(seconds: number, tuples: TupleUsage[], usable = 100): Snapshot {
  const sorted = [...tuples].sort((a, b) => b.pressure - a.pressure);
  return {
    type: 'snapshot',
    seq: seconds + 1,
    takenAt: new Date(T0 + seconds * 1000).toISOString(),
    report: {
      source: 'proc',
      range: { low: 40000, high: 40099 },
      reservedPorts: '',
      reservedInRange: 100 - usable,
      capacity: usable,
      bindOwned: 0,
      usable,
      hostPortsInUse: sorted.reduce((n, t) => n + t.used, 0),
      pressure: sorted[0]?.pressure ?? 0,
      sysctls: { tcpTwReuse: 2, tcpTwReuseDelayMs: 1000, tcpTimestamps: 1, tcpFinTimeout: 60, tcpMaxTwBuckets: 262144 },
      tuples: sorted,
      tupleCount: sorted.length,
      udp: { used: 0, capacity: usable, pressure: 0 },
    },
  };
}

describe('MinuteRollupBatch', () => {
  it('keeps the maxima of a minute, the lowest usable, and counts its snapshots', () => {
    const batch = new MinuteRollupBatch();
    batch.add('h1', snapshot(0, [tuple(5432, 40, 10), tuple(6379, 5)]));
    batch.add('h1', snapshot(20, [tuple(5432, 90, 30, 5), tuple(6379, 5)], 95)); // the spike
    batch.add('h1', snapshot(40, [tuple(5432, 50, 45), tuple(6379, 30)]));
    const [row, ...rest] = batch.hostRows();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ minute: T0, pressure: 0.85, held: 85, usable: 95, snapshots: 3 });
    // TIME_WAIT and states are summed over the tuples of a snapshot, then the minute keeps the highest
    expect(row!.timeWait).toBe(45);
    expect(row!.reclaimable).toBe(5);
    expect(row!.states).toEqual({ ESTABLISHED: 65, TIME_WAIT: 45 });
  });

  it('starts a new row each minute and for each host', () => {
    const batch = new MinuteRollupBatch();
    batch.add('h2', snapshot(59, [tuple(1, 10)]));
    batch.add('h1', snapshot(60, [tuple(1, 20)]));
    batch.add('h1', snapshot(0, [tuple(1, 30)]));
    expect(batch.hostRows().map((r) => [r.hostId, r.minute - T0, r.pressure])).toEqual([
      ['h1', 0, 0.3],
      ['h1', 60_000, 0.2],
      ['h2', 0, 0.1],
    ]);
  });

  it('keeps the worst tuples of each snapshot with their maxima', () => {
    const batch = new MinuteRollupBatch();
    const many = Array.from({ length: 15 }, (_, i) => tuple(1000 + i, 50 - i));
    batch.add('h1', snapshot(0, many));
    batch.add('h1', snapshot(30, [tuple(1000, 70, 20, 10)]));
    const rows = batch.tupleRows();
    expect(rows).toHaveLength(ROLLUP_TUPLES_PER_SNAPSHOT);
    expect(rows.map((r) => r.remotePort)).toEqual(Array.from({ length: 10 }, (_, i) => 1000 + i));
    expect(rows[0]).toMatchObject({ remotePort: 1000, held: 60, pressure: 0.6 });
  });

  it('hands out the tuple rows of minutes that are over, once, and keeps folding the current one', () => {
    const batch = new MinuteRollupBatch();
    batch.addTuples('h1', snapshot(10, [tuple(1000, 40)]));
    batch.addTuples('h1', snapshot(70, [tuple(1000, 20)]));
    batch.addTuples('h2', snapshot(50, [tuple(2000, 30)]));
    // the first minute ends at T0 + 60 s
    expect(batch.takeTupleRows(T0 + 59_999)).toEqual([]);
    const first = batch.takeTupleRows(T0 + 60_000);
    expect(first.map((r) => [r.hostId, r.remotePort, r.held])).toEqual([
      ['h1', 1000, 40],
      ['h2', 2000, 30],
    ]);
    expect(batch.takeTupleRows(T0 + 60_000)).toEqual([]);
    batch.addTuples('h1', snapshot(100, [tuple(1000, 55)]));
    expect(batch.tupleCount).toBe(1);
    expect(batch.takeTupleRows(Infinity).map((r) => [r.minute - T0, r.held])).toEqual([[60_000, 55]]);
    expect(batch.tupleCount).toBe(0);
  });

  it('holds back the host row of a minute that is over until its last tuple rows are taken, and only that one', () => {
    const hosts = new MinuteRollupBatch();
    const tuples = new MinuteRollupBatch();
    // a replayed minute with 12 tuple rows, another replayed minute, and the current minute
    const replayed = snapshot(
      0,
      Array.from({ length: 10 }, (_, i) => tuple(1000 + i, 50 - i)),
    );
    for (const s of [replayed, snapshot(70, [tuple(2000, 5)]), snapshot(125, [tuple(3000, 5)])]) {
      hosts.addHost('h1', s);
      tuples.addTuples('h1', s);
    }
    tuples.addTuples('h1', snapshot(30, [tuple(1010, 20), tuple(1011, 10)]));
    hosts.addHost('h1', snapshot(30, [tuple(1010, 20), tuple(1011, 10)]));
    const now = T0 + 125_000;
    // a flush writes 5 tuple rows: the first minute keeps 7 and the second its one, their host rows
    // wait; the current minute's host row goes (its tuple rows are not due yet)
    expect(tuples.takeTupleRows(now, 5)).toHaveLength(5);
    const next = new MinuteRollupBatch();
    hosts.holdBackHostRows(tuples, now, next);
    expect(hosts.hostRows().map((r) => r.minute - T0)).toEqual([120_000]);
    expect(next.hostRows()).toEqual([
      expect.objectContaining({ minute: T0, snapshots: 2, pressure: 0.5 }),
      expect.objectContaining({ minute: T0 + 60_000, snapshots: 1 }),
    ]);
    // another snapshot of it folds into the held row; once its tuple rows are all taken it is not held
    next.addHost('h1', snapshot(45, [tuple(1000, 60)]));
    expect(tuples.takeTupleRows(now, 8).map((r) => r.minute)).toEqual([...Array(7).fill(T0), T0 + 60_000]);
    const after = new MinuteRollupBatch();
    next.holdBackHostRows(tuples, now, after);
    expect(after.hostRows()).toEqual([]);
    expect(next.hostRows().map((r) => [r.minute - T0, r.snapshots, r.pressure])).toEqual([
      [0, 3, 0.6],
      [60_000, 1, 0.05],
    ]);
  });
});
