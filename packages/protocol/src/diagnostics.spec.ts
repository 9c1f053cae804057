import { describe, expect, it } from 'vitest';
import { diagnosticsSchema } from './diagnostics.ts';
import { portReportSchema } from './report.ts';
import { aDiagnostics, aPortReport } from './test-factories.ts';

describe('report diagnostics', () => {
  it('accepts a report without diagnostics, as old agents send it', () => {
    const report = aPortReport();
    expect(portReportSchema.safeParse(report).success).toBe(true);
    expect('diagnostics' in portReportSchema.parse(report)).toBe(false);
  });

  it('accepts a report with diagnostics and keeps them unchanged', () => {
    const report = { ...aPortReport(), diagnostics: aDiagnostics() };
    expect(portReportSchema.parse(report)).toEqual(report);
  });

  it('accepts the first snapshot of an agent: no rates, no deltas, no attribution yet', () => {
    const first = aDiagnostics({ intervalSeconds: null, attributedAt: null, conntrack: null, snat: null, kernel: [] });
    const tuple = first.tuples[0];
    if (!tuple) throw new Error('the factory lists a tuple');
    first.tuples = [{ ...tuple, processes: null, churn: { newPerSecond: null, timeWaitInflowPerSecond: null, timeWaitShare: 0 } }];
    expect(diagnosticsSchema.safeParse(first).success).toBe(true);
  });

  it.each([
    ['an unknown verdict code', (d: Record<string, unknown>) => ({ ...d, verdicts: [{ code: 'gremlins', text: 'x', advice: [] }] })],
    ['a control character in a command', (d: Record<string, unknown>) => withProcess(d, { command: 'a\u0000b' })],
    ['a pid of 0', (d: Record<string, unknown>) => withProcess(d, { pid: 0 })],
    ['a container id that is not 64 hex digits', (d: Record<string, unknown>) => withProcess(d, { container: 'abc' })],
    ['a negative rate', (d: Record<string, unknown>) => withChurn(d, { newPerSecond: -1 })],
    ['a TIME_WAIT share above 1', (d: Record<string, unknown>) => withChurn(d, { timeWaitShare: 1.5 })],
    ['an unknown kernel counter', (d: Record<string, unknown>) => ({ ...d, kernel: [{ name: 'Bogus', delta: 1 }] })],
    [
      'a NAT range with low above high',
      (d: Record<string, unknown>) => ({ ...d, snat: { portRange: { low: 2, high: 1 }, pools: [], poolCount: 0 } }),
    ],
    ['an empty verdict text', (d: Record<string, unknown>) => ({ ...d, verdicts: [{ code: 'leak', text: '', advice: [] }] })],
  ])('refuses %s', (_name, mutate) => {
    const bad = mutate(structuredClone(aDiagnostics()) as unknown as Record<string, unknown>);
    expect(diagnosticsSchema.safeParse(bad).success).toBe(false);
    expect(portReportSchema.safeParse({ ...aPortReport(), diagnostics: bad }).success).toBe(false);
  });
});

function withProcess(d: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const tuples = d.tuples as { processes: Record<string, unknown>[] }[];
  const tuple = tuples[0];
  if (tuple) tuple.processes = tuple.processes.map((p) => ({ ...p, ...change }));
  return d;
}

function withChurn(d: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const tuples = d.tuples as { churn: Record<string, unknown> }[];
  const tuple = tuples[0];
  if (tuple) tuple.churn = { ...tuple.churn, ...change };
  return d;
}
