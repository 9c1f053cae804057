import { describe, expect, it } from 'vitest';
import { offlineRuleKind } from './offline.ts';
import { registeredRuleKinds } from './registered.ts';
import { RuleKindError, RuleKindRegistry, ruleKindRegistry } from './index.ts';

describe('rule kind registry', () => {
  it('refuses two kinds with one name', () => {
    expect(() => new RuleKindRegistry([offlineRuleKind, offlineRuleKind])).toThrow(RuleKindError);
  });

  it("serves each kind's form from its file, and every form's defaults are valid settings", () => {
    for (const info of ruleKindRegistry.list()) {
      const params = Object.fromEntries(info.fields.map((f) => [f.key, f.default]));
      expect(() => ruleKindRegistry.parseParams(info.kind, params), info.kind).not.toThrow();
    }
    expect(ruleKindRegistry.list().map((k) => k.kind)).toEqual(registeredRuleKinds.map((k) => k.name));
  });

  it('checks params with the kind named, filling its defaults, and names what is wrong', () => {
    expect(ruleKindRegistry.parseParams('pressure', { threshold: 0.8 })).toEqual({
      threshold: 0.8,
      resolveMargin: 0.05,
      sustainSnapshots: 3,
    });
    expect(() => ruleKindRegistry.parseParams('pressure', { threshold: 1.5 })).toThrow(/threshold/);
    expect(() => ruleKindRegistry.parseParams('offline', { threshold: 0.8 })).toThrow(/afterSeconds/);
    expect(() => ruleKindRegistry.parseParams('latency', {})).toThrow(/unknown rule kind "latency"/);
  });

  it("states each kind's condition in the units people use", () => {
    const condition = (kind: string, params: Record<string, unknown>) => ruleKindRegistry.condition({ kind, params });
    expect(condition('pressure', { threshold: 2 / 3, resolveMargin: 0.05, sustainSnapshots: 3 })).toBe(
      'pressure ≥ 66.7 % for 3 snapshots (resolves below 61.7 %)',
    );
    expect(
      condition('forecast', {
        withinSeconds: 1800,
        minPressure: 0.1,
        windowSeconds: 600,
        minSamples: 5,
        sustainSnapshots: 2,
        resolveMargin: 0.5,
      }),
    ).toBe('runs out within 30 min (fit over 10 min, ≥ 5 samples, tuples from 10 %)');
    expect(condition('offline', { afterSeconds: 300 })).toBe('no snapshot for 5 min');
  });

  it('lets only kinds with a silence hook be evaluated by the timer', () => {
    expect([...ruleKindRegistry.silenceKinds()]).toEqual(['offline']);
    expect(ruleKindRegistry.sustainOf({ kind: 'offline', params: { afterSeconds: 60 } })).toBe(1);
    expect(ruleKindRegistry.sustainOf({ kind: 'forecast', params: { sustainSnapshots: 4 } })).toBe(4);
  });
});
