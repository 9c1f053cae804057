import type { AlertRule, Snapshot } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { anAlertRule } from '../../../../../packages/protocol/src/test-factories.ts';
import { aReport } from '../../../test/support/factories.ts';
import { planBatch, type BatchHost } from './batch-plan.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const T0 = Date.parse('2026-05-01T10:00:00.000Z');

/** Snapshot `seq` of a host, taken `seconds` after T0, whose one tuple uses `used` of 100 ports. */
function snap(hostId: string, seq: number, seconds: number, used = 10): { hostId: string; snapshot: Snapshot } {
  return { hostId, snapshot: { type: 'snapshot', seq, takenAt: new Date(T0 + seconds * 1000).toISOString(), report: aReport({ used }) } };
}

function host(id: string, latestSeconds: number | null, options: { busy?: boolean; labels?: unknown } = {}): BatchHost {
  return {
    id,
    hostname: `host-${id.slice(-1)}`,
    labels: options.labels ?? {},
    latestTakenAt: latestSeconds === null ? null : new Date(T0 + latestSeconds * 1000),
    busy: options.busy ?? false,
  };
}

function pressureRule(threshold: number, labels: Record<string, string> = {}): AlertRule {
  return anAlertRule({
    name: 'pressure',
    kind: 'pressure',
    scope: { hostId: null, labels },
    params: { threshold, resolveMargin: 0.1, sustainSnapshots: 1 },
  });
}

const hostsOf = (...hosts: BatchHost[]) => new Map(hosts.map((h) => [h.id, h]));

describe('planning the alert evaluation of a batch', () => {
  it('only records progress for hosts where nothing is near a threshold, one newest snapshot each', () => {
    const plan = planBatch([snap(A, 1, 0), snap(B, 7, 0), snap(A, 2, 10)], hostsOf(host(A, 10), host(B, 0)), [pressureRule(0.9)]);
    expect(plan.locked).toEqual([]);
    expect(plan.quiet).toEqual([
      { hostId: A, seq: 2, takenAt: new Date(T0 + 10_000) },
      { hostId: B, seq: 7, takenAt: new Date(T0) },
    ]);
  });

  it('skips snapshots taken before the host latest stored one (a late spool replay)', () => {
    // Snapshot 5 (taken at 50 s) is already stored; the spooled 3 and 4 arrive after it.
    const plan = planBatch([snap(A, 3, 30, 95), snap(A, 4, 40, 95)], hostsOf(host(A, 50)), [pressureRule(0.9)]);
    expect(plan).toEqual({ quiet: [], locked: [] });
  });

  it('sends a host that could breach to the locked evaluation with its snapshots in commit order', () => {
    const plan = planBatch([snap(A, 1, 10, 95), snap(B, 1, 10), snap(A, 2, 20, 50)], hostsOf(host(A, null), host(B, 10)), [
      pressureRule(0.9),
    ]);
    expect(plan.quiet.map((q) => q.hostId)).toEqual([B]);
    expect(plan.locked).toHaveLength(1);
    expect(plan.locked[0]?.host.id).toBe(A);
    expect(plan.locked[0]?.snapshots.map((s) => s.seq)).toEqual([1, 2]);
  });

  it('evaluates a host with a pending count or firing incident under its lock even when quiet', () => {
    const plan = planBatch([snap(A, 9, 90, 10)], hostsOf(host(A, 90, { busy: true })), [pressureRule(0.9)]);
    expect(plan.quiet).toEqual([]);
    expect(plan.locked.map((l) => l.snapshots.map((s) => s.seq))).toEqual([[9]]);
  });

  it('drops a snapshot taken no later than one before it in the batch', () => {
    const plan = planBatch([snap(A, 1, 20, 95), snap(A, 2, 20, 95), snap(A, 3, 10, 95)], hostsOf(host(A, null)), [pressureRule(0.9)]);
    expect(plan.locked[0]?.snapshots.map((s) => s.seq)).toEqual([1]);
  });

  it('judges each host by the rules whose scope matches its labels', () => {
    const rules = [pressureRule(0.5, { env: 'prod' })];
    const plan = planBatch(
      [snap(A, 1, 0, 60), snap(B, 1, 0, 60)],
      hostsOf(host(A, 0, { labels: { env: 'prod' } }), host(B, 0, { labels: { env: 'test' } })),
      rules,
    );
    expect(plan.locked.map((l) => [l.host.id, l.labels, l.rules.length])).toEqual([[A, { env: 'prod' }, 1]]);
    expect(plan.quiet.map((q) => q.hostId)).toEqual([B]);
  });

  it('ignores snapshots of hosts that no longer exist', () => {
    expect(planBatch([snap(A, 1, 0, 99)], new Map(), [pressureRule(0.9)])).toEqual({ quiet: [], locked: [] });
  });
});
