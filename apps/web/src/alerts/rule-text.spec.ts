import type { AlertRule } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { channelsText, conditionText, parseLabels, scopeText } from './rule-text.ts';

const base = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'r',
  severity: 'warning' as const,
  enabled: true,
  scope: { hostId: null, labels: {} },
  channelIds: [],
  repeatIntervalSeconds: 0,
  createdAt: '2026-05-01T10:00:00Z',
  updatedAt: '2026-05-01T10:00:00Z',
};

describe('rule texts', () => {
  it("state each kind's condition in the units people use", () => {
    const pressure: AlertRule = { ...base, kind: 'pressure', params: { threshold: 2 / 3, resolveMargin: 0.05, sustainSnapshots: 3 } };
    expect(conditionText(pressure)).toBe('pressure ≥ 66.7 % for 3 snapshots (resolves below 61.7 %)');
    const forecast: AlertRule = {
      ...base,
      kind: 'forecast',
      params: { withinSeconds: 1800, minPressure: 0.1, windowSeconds: 600, minSamples: 5, sustainSnapshots: 2, resolveMargin: 0.5 },
    };
    expect(conditionText(forecast)).toBe('runs out within 30 min (fit over 10 min, ≥ 5 samples, tuples from 10 %)');
    expect(conditionText({ ...base, kind: 'offline', params: { afterSeconds: 300 } })).toBe('no snapshot for 5 min');
  });

  it('parses labels typed as key=value pairs, and refuses a pair without "="', () => {
    expect(parseLabels(' env=prod, team = payments ,')).toEqual({ env: 'prod', team: 'payments' });
    expect(() => parseLabels('env')).toThrow(/key=value/);
  });

  it('names the scope and the channels', () => {
    const rule: AlertRule = {
      ...base,
      kind: 'offline',
      params: { afterSeconds: 60 },
      scope: { hostId: 'h1', labels: { env: 'prod' } },
      channelIds: ['c1', 'c2'],
    };
    expect(scopeText(rule, (id) => (id === 'h1' ? 'web-1' : id))).toBe('host web-1 and env=prod');
    expect(
      channelsText(rule, [{ id: 'c1', name: 'On-call', type: 'slack', enabled: true, settings: {}, createdAt: '', updatedAt: '' }]),
    ).toBe('On-call, deleted channel');
    expect(channelsText({ ...rule, channelIds: [] }, [])).toBe('every enabled channel');
  });
});
