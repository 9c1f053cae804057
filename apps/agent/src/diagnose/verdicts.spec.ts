import { aPortReport, aTuple } from '../../../../packages/protocol/src/test-factories.ts';
import type { Conntrack } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { namespaceVerdicts } from './verdicts.ts';

const quiet = { listeningInRange: [], snat: null, kernel: [] };

function conntrack(overrides: Partial<Conntrack>): Conntrack {
  return { count: 100, max: 1000, insertFailed: 0, drop: 0, earlyDrop: 0, ...overrides };
}

// The kernel makes nf_conntrack_max read-only in a child namespace, so a test cannot fill a table
// without touching the host's; these cases cover the conntrack verdict on figures instead.
describe('the conntrack verdict', () => {
  const report = aPortReport([aTuple({ used: 5, pressure: 0.05 })]);

  it('is given from 80 % of the table on, or on any insert failure or drop', () => {
    expect(namespaceVerdicts(report, { ...quiet, conntrack: conntrack({ count: 800 }) }).map((v) => v.code)).toEqual(['conntrack-full']);
    expect(namespaceVerdicts(report, { ...quiet, conntrack: conntrack({ insertFailed: 1 }) })[0]?.text).toContain('1 insert failures');
    expect(namespaceVerdicts(report, { ...quiet, conntrack: conntrack({ earlyDrop: 2 }) }).map((v) => v.code)).toEqual(['conntrack-full']);
  });

  it('is not given below 80 % with no failures, nor on the first snapshot without deltas', () => {
    expect(namespaceVerdicts(report, { ...quiet, conntrack: conntrack({ count: 799 }) })).toEqual([]);
    expect(namespaceVerdicts(report, { ...quiet, conntrack: conntrack({ insertFailed: null, drop: null, earlyDrop: null }) })).toEqual([]);
  });
});
