import { anAlertRule, aPortReport } from '../../../../../packages/protocol/src/test-factories.ts';
import type { AlertRule, PortReport, TupleUsage } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { observeForecast } from '../rules/kinds/forecast.ts';
import { ruleKindRegistry } from '../rules/kinds/index.ts';
import { observeOffline } from '../rules/kinds/offline.ts';
import { observePressure } from '../rules/kinds/pressure.ts';
import { decide, groupKeyFor, ruleApplies, tupleKey, type Decision, type Observation, type OpenIncidentRef } from './rule-evaluation.ts';

const HOST = '00000000-0000-4000-8000-000000000001';
const RULE = '00000000-0000-4000-8000-0000000000aa';

function tuple(used: number, overrides: Partial<TupleUsage> = {}): TupleUsage {
  return {
    protocol: 'tcp',
    localAddress: '10.0.0.2',
    remoteAddress: '10.0.0.5',
    remotePort: 5432,
    used,
    timeWait: 0,
    reclaimable: 0,
    pressure: used / 100,
    states: { ESTABLISHED: used },
    ...overrides,
  };
}

const pressureParams = { threshold: 0.8, resolveMargin: 0.1, sustainSnapshots: 3 };

/** Feeds successive pressures of one tuple through observe + decide, like repeated snapshots. */
function runPressure(values: number[]): Decision['type'][][] {
  const pending = new Map<string, number>();
  const open = new Map<string, OpenIncidentRef>();
  const log: Decision['type'][][] = [];
  for (const used of values) {
    const decisions = decide(observePressure(RULE, pressureParams, HOST, aPortReport([tuple(used)])), 3, pending, open);
    for (const d of decisions) {
      if (d.type === 'pending') pending.set(d.groupKey, d.breaches);
      if (d.type === 'clear') pending.delete(d.groupKey);
      if (d.type === 'fire') open.set(d.groupKey, { id: 'inc-1', groupKey: d.groupKey });
      if (d.type === 'resolve') open.clear();
    }
    log.push(decisions.map((d) => d.type));
  }
  return log;
}

describe('pressure rule', () => {
  it('fires only after the threshold held for the sustained number of snapshots', () => {
    expect(runPressure([85, 90, 95])).toEqual([['pending'], ['pending'], ['fire', 'clear']]);
  });

  it('starts counting again when one snapshot dips below the threshold', () => {
    expect(runPressure([85, 90, 79, 85, 90])).toEqual([['pending'], ['pending'], ['clear'], ['pending'], ['pending']]);
  });

  it('does not flap while the value hovers around the threshold (hysteresis)', () => {
    const log = runPressure([85, 85, 85, 79, 81, 78, 82, 71, 69]);
    expect(log.slice(3, 8)).toEqual([['keep'], ['keep'], ['keep'], ['keep'], ['keep']]);
    expect(log[8]).toEqual(['resolve']);
  });

  it('resolves when the tuple disappears from the report', () => {
    const key = groupKeyFor(RULE, HOST, { protocol: 'tcp', localAddress: '10.0.0.2', remoteAddress: '10.0.0.5', remotePort: 5432 });
    const decisions = decide(
      observePressure(RULE, pressureParams, HOST, aPortReport([])),
      3,
      new Map(),
      new Map([[key, { id: 'inc-9', groupKey: key }]]),
    );
    expect(decisions).toEqual([{ type: 'resolve', incidentId: 'inc-9', measurement: {} }]);
  });

  it('keeps one group key per tuple, so two hot tuples are two incidents', () => {
    const obs = observePressure(RULE, pressureParams, HOST, aPortReport([tuple(90), tuple(95, { remotePort: 6379 })]));
    const fired = decide(obs, 1, new Map(), new Map()).filter((d) => d.type === 'fire');
    expect(new Set(fired.map((d) => (d.type === 'fire' ? d.groupKey : ''))).size).toBe(2);
  });

  it('says when a hot tuple runs out at its current growth', () => {
    const t = tuple(90);
    const t0 = Date.parse('2026-05-01T10:00:00Z');
    // 80 → 90 over 20 s: 0.5 port/s, 100 reached 20 s after the last point.
    const series = new Map([[tupleKey(t), [80, 85, 90].map((value, i) => ({ t: t0 + i * 10_000, value }))]]);
    const [o] = observePressure(RULE, pressureParams, HOST, aPortReport([t]), { series, nowMs: t0 + 20_000 });
    expect(o?.measurement.exhaustsAt).toBe(new Date(t0 + 40_000).toISOString());
  });

  it('reports what it saw: pressure, used of usable and the TIME_WAIT share', () => {
    const [o] = observePressure(RULE, pressureParams, HOST, aPortReport([tuple(90, { timeWait: 45, reclaimable: 0 })]));
    expect(o?.measurement).toEqual({ pressure: 0.9, used: 90, usable: 100, timeWait: 45, timeWaitShare: 0.5 });
  });
});

describe('forecast rule', () => {
  const params = { withinSeconds: 60, minPressure: 0.1, windowSeconds: 600, minSamples: 3, sustainSnapshots: 1, resolveMargin: 0.5 };
  const t0 = Date.parse('2026-05-01T10:00:00Z');
  const series = (values: number[]) => values.map((value, i) => ({ t: t0 + i * 10_000, value }));
  const observe = (values: number[]): Observation | undefined => {
    const now = t0 + (values.length - 1) * 10_000;
    const t = tuple(values.at(-1) ?? 0);
    return observeForecast(RULE, params, HOST, aPortReport([t]), new Map([[tupleKey(t), series(values)]]), now)[0];
  };

  it('breaches when the fitted line reaches usable within the horizon', () => {
    // 5 ports per 10 s from 50: 100 reached 60 s after the last point (at 70).
    const o = observe([50, 55, 60, 65, 70]);
    expect(o?.breaching).toBe(true);
    expect(o?.measurement.exhaustsAt).toBe(new Date(t0 + 40_000 + 60_000).toISOString());
    expect(o?.measurement.slopePerSecond).toBeCloseTo(0.5, 10);
  });

  it('does not breach when exhaustion is further out than the horizon, but holds within the margin', () => {
    // 3 ports per 10 s from 70: 100 reached 70 s after the last point; horizon 60 s, hold to 90 s.
    const o = observe([58, 61, 64, 67, 70, 73, 76, 79]);
    expect(o?.breaching).toBe(false);
    expect(o?.holding).toBe(true);
  });

  it('never breaches on flat usage, even right under the limit', () => {
    const o = observe([97, 97, 97, 97, 97]);
    expect(o).toMatchObject({ breaching: false, holding: false, measurement: { exhaustsAt: null } });
  });

  it('ignores a nearly idle tuple whose one extra port extrapolates to exhaustion', () => {
    // 1 → 2 ports in 10 s would reach 100 in ~16 min; with a 20-minute horizon that is "soon".
    const wide = { ...params, withinSeconds: 1200, minSamples: 2 };
    const t = tuple(2);
    const points = series([1, 2]);
    const [o] = observeForecast(RULE, wide, HOST, aPortReport([t]), new Map([[tupleKey(t), points]]), t0 + 10_000);
    expect(o?.breaching).toBe(false);
    expect(
      observeForecast(RULE, { ...wide, minPressure: 0 }, HOST, aPortReport([t]), new Map([[tupleKey(t), points]]), t0 + 10_000)[0]
        ?.breaching,
    ).toBe(true);
  });

  it('waits for the minimum number of samples', () => {
    expect(observe([50, 70])?.breaching).toBe(false);
    expect(observe([50, 70, 90])?.breaching).toBe(true);
  });
});

describe('offline rule', () => {
  const now = Date.parse('2026-05-01T10:10:00Z');
  it('breaches once nothing was heard for the configured time, and not before', () => {
    const lastSeen = new Date(now - 300_000);
    expect(observeOffline(RULE, { afterSeconds: 300 }, HOST, lastSeen, lastSeen, now).breaching).toBe(true);
    expect(observeOffline(RULE, { afterSeconds: 301 }, HOST, lastSeen, lastSeen, now).breaching).toBe(false);
  });

  it('has no tuple in its group key', () => {
    expect(observeOffline(RULE, { afterSeconds: 60 }, HOST, new Date(now), null, now).groupKey).toBe(`${RULE}|${HOST}`);
  });
});

describe('decide', () => {
  it('clears pending counts of keys that were not observed', () => {
    expect(decide([], 3, new Map([['k', 2]]), new Map())).toEqual([{ type: 'clear', groupKey: 'k' }]);
  });
});

describe('ruleApplies', () => {
  const base: AlertRule = anAlertRule({ id: RULE });
  const host = { id: HOST, labels: { env: 'prod', team: 'payments' } };

  it('applies an unscoped rule to every host', () => {
    expect(ruleApplies(base, host)).toBe(true);
  });

  it('applies a label-scoped rule only when every label matches', () => {
    expect(ruleApplies({ ...base, scope: { hostId: null, labels: { env: 'prod' } } }, host)).toBe(true);
    expect(ruleApplies({ ...base, scope: { hostId: null, labels: { env: 'prod', team: 'search' } } }, host)).toBe(false);
  });

  it('applies a host-scoped rule to that host only, and no disabled rule at all', () => {
    expect(ruleApplies({ ...base, scope: { hostId: HOST, labels: {} } }, host)).toBe(true);
    expect(ruleApplies({ ...base, scope: { hostId: RULE, labels: {} } }, host)).toBe(false);
    expect(ruleApplies({ ...base, enabled: false }, host)).toBe(false);
  });
});

describe('couldBreach', () => {
  const params = {
    pressure: { threshold: 0.8, resolveMargin: 0.05, sustainSnapshots: 3 },
    forecast: { withinSeconds: 60, minPressure: 0.1, windowSeconds: 600, minSamples: 3, sustainSnapshots: 1, resolveMargin: 0.5 },
    offline: { afterSeconds: 60 },
  };
  const rule = (kind: keyof typeof params): AlertRule => anAlertRule({ id: RULE, kind, params: params[kind] });
  const couldBreach = (rules: AlertRule[], report: PortReport) => ruleKindRegistry.couldBreach(rules, report);

  it('is false for a quiet host, so evaluation can skip it', () => {
    expect(couldBreach([rule('pressure'), rule('forecast'), rule('offline')], aPortReport([tuple(5), tuple(9, { remotePort: 1 })]))).toBe(
      false,
    );
  });

  it("is true once a tuple reaches a pressure threshold or a forecast rule's minimum", () => {
    expect(couldBreach([rule('pressure')], aPortReport([tuple(80)]))).toBe(true);
    expect(couldBreach([rule('forecast')], aPortReport([tuple(10)]))).toBe(true);
  });
});
