import type { TupleUsage } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { rawTupleBuckets } from './raw-tuple-buckets.ts';
import { encodeReport, type TupleKey } from './snapshot-codec.ts';

const USABLE = 100;
const key = (n: number): TupleKey => ({
  protocol: 'tcp',
  localAddress: '10.0.0.1',
  remoteAddress: `10.0.0.${10 - (n % 3)}`,
  remotePort: 1000 + n,
});

function row(at: number, tuples: [number, number, number][]) {
  const usages: TupleUsage[] = tuples.map(([n, used, tw]) => ({
    ...key(n),
    used,
    timeWait: tw,
    reclaimable: 0,
    pressure: used / USABLE,
    states: { ESTABLISHED: used - tw, TIME_WAIT: tw },
  }));
  const report = encodeReport(
    {
      source: 'proc',
      range: { low: 40000, high: 40099 },
      reservedPorts: '',
      reservedInRange: 0,
      capacity: USABLE,
      bindOwned: 0,
      usable: USABLE,
      hostPortsInUse: 0,
      pressure: 0,
      sysctls: { tcpTwReuse: 2, tcpTwReuseDelayMs: null, tcpTimestamps: 1, tcpFinTimeout: 60, tcpMaxTwBuckets: 1 },
      tuples: usages,
      tupleCount: usages.length,
      udp: { used: 0, capacity: USABLE, pressure: 0 },
    },
    (t) => t.remotePort - 1000,
  );
  return { at, usable: USABLE, report };
}

describe('raw tuple buckets', () => {
  it('sums states per snapshot and keeps each bucket’s highest; ranks tuples by pressure, held, then address', () => {
    const rows = [
      row(0, [
        [1, 50, 10],
        [2, 20, 0],
      ]),
      row(5, [
        [1, 60, 30],
        [2, 10, 0],
      ]), // same bucket: per-snapshot sums 70 (TIME_WAIT 30)
      row(10, []), // no tuples: no state row
      row(20, [
        [3, 60, 0],
        [4, 60, 0],
        [1, 5, 0],
      ]),
    ];
    const { states, tuples } = rawTupleBuckets(rows, key, 0, 10, 3);
    expect(states.map((s) => [s.t, s.timeWait, s.ESTABLISHED, s.TIME_WAIT, s.CLOSE_WAIT])).toEqual([
      [0, 30, 60, 30, 0],
      [20, 0, 125, 0, 0],
    ]);
    // 1, 3 and 4 all peak at 60: ties go to the remote address in byte order (3 → 10.0.0.10, 4 → 10.0.0.9, 1 → 10.0.0.9), then port
    expect(tuples.map((t) => [t.remotePort, t.t, t.held])).toEqual([
      [1003, 20, 60],
      [1001, 0, 60],
      [1001, 20, 5],
      [1004, 20, 60],
    ]);
  });
});
