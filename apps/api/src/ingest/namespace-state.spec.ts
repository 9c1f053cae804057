import type { NamespaceInfo, SnapshotV2 } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { aPortReport, aTuple } from '../../../../packages/protocol/src/test-factories.ts';
import { HostNamespaceState, type NamespaceRow } from './namespace-state.ts';

const HOST = '00000000-0000-4000-8000-000000000001';

function info(inode: number, overrides: Partial<NamespaceInfo> = {}): NamespaceInfo {
  return { inode, name: null, host: false, processes: 1, pod: null, containers: [], ...overrides };
}

function snapshot(seq: number, used: Record<number, number>, skipped: number[] = []): SnapshotV2 {
  return {
    type: 'snapshot',
    seq,
    takenAt: new Date(Date.UTC(2026, 11, 5, 10, 0, seq)).toISOString(),
    report: aPortReport([]),
    namespace: info(1, { host: true }),
    namespaces: Object.entries(used).map(([inode, n]) => ({
      namespace: info(Number(inode), Number(inode) === 7 ? { pod: { name: 'cart', namespace: 'shop', uid: null } } : {}),
      report: aPortReport([aTuple({ used: n, pressure: n / 100 })]),
    })),
    skipped,
  };
}

function apply(state: HostNamespaceState, s: SnapshotV2) {
  const rows = new Map<number, NamespaceRow>();
  const samples = state.apply(HOST, s, rows);
  return { rows, samples };
}

describe('HostNamespaceState', () => {
  it('numbers new namespaces, refreshes known ones and names the worst', () => {
    const state = new HostNamespaceState(0, 3, new Map());
    const first = apply(state, snapshot(1, { 7: 90, 8: 20 }));
    expect([...first.rows.values()].map((r) => [r.ns_no, r.inode, r.gone_at])).toEqual([
      [4, 7, null],
      [5, 8, null],
    ]);
    expect(first.samples?.map((s) => [s.nsNo, s.report.pressure])).toEqual([
      [4, 0.9],
      [5, 0.2],
    ]);
    expect(state.worst()).toMatchObject({ id: '4', inode: 7, label: 'pod shop/cart', pressure: 0.9, usable: 100 });
    const second = apply(state, snapshot(2, { 7: 10, 8: 30 }));
    expect(second.rows.get(4)).toMatchObject({ first_seen_at: first.rows.get(4)!.first_seen_at, latest_seq: 2, pressure: 0.1 });
    expect(state.worst()?.id).toBe('5');
  });

  it('marks a namespace gone when a snapshot neither measures nor skips it, and an inode back later is a new namespace', () => {
    const state = new HostNamespaceState(0, 0, new Map());
    apply(state, snapshot(1, { 7: 50, 8: 50 }));
    const skipped = apply(state, snapshot(2, { 7: 50 }, [8]));
    expect([...skipped.rows.values()].every((r) => r.gone_at === null)).toBe(true);
    const gone = apply(state, snapshot(3, { 7: 50 }));
    expect(gone.rows.get(2)).toMatchObject({ inode: 8, gone_at: snapshot(3, {}).takenAt });
    expect(gone.samples?.map((s) => s.nsNo)).toEqual([1]);
    const back = apply(state, snapshot(4, { 7: 50, 8: 5 }));
    expect(back.rows.get(3)).toMatchObject({ inode: 8, first_seen_at: snapshot(4, {}).takenAt, gone_at: null });
    expect(state.current.get(8)?.ns_no).toBe(3);
  });

  it('changes nothing for a resend of a snapshot already applied', () => {
    const state = new HostNamespaceState(5, 0, new Map());
    const rows = new Map<number, NamespaceRow>();
    expect(state.apply(HOST, snapshot(5, { 7: 50 }), rows)).toBeNull();
    expect(rows.size).toBe(0);
    expect(state.current.size).toBe(0);
  });
});
