import { describe, expect, it } from 'vitest';
import { aDiagnostics } from '../../../../packages/protocol/src/test-factories.ts';
import { percent } from './format-check.ts';
import { diagnosisLines } from './format-diagnosis.ts';

describe('the diagnosis in check text', () => {
  it('shows each tuple with its processes, churn and verdicts, then conntrack, SNAT and the kernel counters that moved', () => {
    const text = diagnosisLines(aDiagnostics(), percent).join('\n');
    expect(text).toContain('Diagnosis (churn over 10.0 s):');
    expect(text).toContain('127.0.0.1 → 127.0.0.1:5000');
    expect(text).toContain('processes  client (pid 4242, app) 50 sockets');
    expect(text).toContain('churn      13 new connections/s, 12/s entering TIME_WAIT, 90% TIME_WAIT');
    expect(text).toContain('verdict    churn without pooling: 12.5 new connections/s, 90 % TIME_WAIT');
    expect(text).toContain('→ reuse connections: a pool or HTTP keep-alive');
    expect(text).toContain('conntrack  120 of 262144 entries');
    expect(text).toContain('SNAT       masquerading, NAT port range 40000-40099, 1 pool');
    expect(text).toContain('10.0.0.1 → 10.0.1.2:5000: 30 of 100 ports (30%)');
    expect(text).toContain('kernel     ActiveOpens +125');
  });

  it('says when processes were not attributed yet and when there are no rates', () => {
    const d = aDiagnostics({ intervalSeconds: null, snat: null, conntrack: null, kernel: [] });
    const tuple = d.tuples[0];
    if (!tuple) throw new Error('the factory lists a tuple');
    d.tuples = [{ ...tuple, processes: null, churn: { newPerSecond: null, timeWaitInflowPerSecond: null, timeWaitShare: 0.5 } }];
    const text = diagnosisLines(d, percent).join('\n');
    expect(text).toContain('one measurement, no rates');
    expect(text).toContain('processes  not attributed yet');
    expect(text).toContain('churn      50% TIME_WAIT');
    expect(text).not.toContain('SNAT');
  });
});
