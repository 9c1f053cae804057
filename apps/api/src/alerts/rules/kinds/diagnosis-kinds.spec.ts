import { aDiagnostics, aPortReport, aTuple } from '../../../../../../packages/protocol/src/test-factories.ts';
import { describe, expect, it } from 'vitest';
import { conntrackParamsSchema, observeConntrack } from './conntrack.ts';
import { observeSnat, snatParamsSchema } from './snat.ts';

const reportWith = (diagnostics: ReturnType<typeof aDiagnostics> | undefined) => ({ ...aPortReport([aTuple()]), diagnostics });

describe('the conntrack and snat rule kinds', () => {
  it('observes nothing in a report without diagnostics', () => {
    expect(observeSnat('r', snatParamsSchema.parse({ threshold: 0.8 }), 'h', reportWith(undefined))).toEqual([]);
    expect(observeConntrack('r', conntrackParamsSchema.parse({ threshold: 0.8 }), 'h', reportWith(undefined))).toEqual([]);
  });

  it('breaches on a full table or on failures, holds in the margin, and watches the fill only with minFailures 0', () => {
    const at = (count: number, insertFailed: number | null) =>
      reportWith(aDiagnostics({ conntrack: { count, max: 1000, insertFailed, drop: 0, earlyDrop: 0 } }));
    const params = conntrackParamsSchema.parse({ threshold: 0.8 });
    const seen = (count: number, failed: number | null, p = params) => {
      const [o] = observeConntrack('r', p, 'h', at(count, failed));
      return [o?.breaching, o?.holding];
    };
    expect(seen(800, 0)).toEqual([true, true]);
    expect(seen(770, 0)).toEqual([false, true]);
    expect(seen(700, 0)).toEqual([false, false]);
    expect(seen(100, 2)).toEqual([true, true]);
    expect(seen(100, null)).toEqual([false, false]);
    expect(seen(100, 2, conntrackParamsSchema.parse({ threshold: 0.8, minFailures: 0 }))).toEqual([false, false]);
  });

  it('observes each SNAT pool as its own tuple, with the kernel evidence of the report', () => {
    const base = aDiagnostics();
    const pool = { ...base.snat!.pools[0]!, portsInUse: 90, capacity: 100, pressure: 0.9 };
    const report = reportWith(
      aDiagnostics({
        snat: { ...base.snat!, pools: [pool, { ...pool, remotePort: 6000, portsInUse: 10, pressure: 0.1 }], poolCount: 2 },
        kernel: [
          { name: 'TCPTimeWaitOverflow', delta: 4 },
          { name: 'ActiveOpens', delta: 900 },
        ],
      }),
    );
    const observations = observeSnat('r', snatParamsSchema.parse({ threshold: 0.8 }), 'h', report);
    expect(observations.map((o) => [o.groupKey, o.breaching])).toEqual([
      ['r|h|tcp|10.0.0.1|10.0.1.2|5000', true],
      ['r|h|tcp|10.0.0.1|10.0.1.2|6000', false],
    ]);
    expect(observations[0]?.measurement).toEqual({
      pressure: 0.9,
      used: 90,
      usable: 100,
      kernelEvidence: [{ name: 'TCPTimeWaitOverflow', delta: 4 }],
    });
  });
});
