import { aPortReport, aTuple } from '../../../../packages/protocol/src/test-factories.ts';
import { NAMESPACE_TUPLES_PER_SNAPSHOT, snapshotV2Schema, type NamespaceInfo } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import type { AllNamespacesResult } from './collect-all-namespaces.ts';
import { namespacesBody } from './namespaces-snapshot.ts';

function info(inode: number, host = false): NamespaceInfo {
  return { inode, name: null, host, processes: 1, pod: null, containers: [] };
}

function manyTuples(n: number, used: number) {
  return Array.from({ length: n }, (_, i) => aTuple({ remoteAddress: `10.0.${i >> 8}.${i & 255}`, used, pressure: used / 100 }));
}

function measurement(inode: number, used: number, host = false) {
  return { namespace: info(inode, host), result: { report: aPortReport(manyTuples(60, used)), warnings: [] } };
}

const ALL: AllNamespacesResult = {
  measured: [measurement(1, 10, true), measurement(2, 30), measurement(3, 80)],
  skipped: [
    { namespace: info(4), reason: 'gone while it was measured', gone: true },
    { namespace: info(5), reason: 'ss exited with 1', gone: false },
  ],
  warnings: [],
};

function frame(body: ReturnType<typeof namespacesBody>) {
  return { type: 'snapshot' as const, seq: 1, takenAt: '2026-12-05T10:00:00Z', ...body };
}

describe('namespacesBody', () => {
  it('keeps the own report whole, lists the others worst first with their worst tuples, and skips only what is not gone', () => {
    const body = namespacesBody(ALL)!;
    expect(body.report.tuples).toHaveLength(60);
    expect(body.namespace.inode).toBe(1);
    expect(body.namespaces.map((n) => n.namespace.inode)).toEqual([3, 2]);
    expect(body.namespaces.every((n) => n.report.tuples.length === NAMESPACE_TUPLES_PER_SNAPSHOT && n.report.tupleCount === 60)).toBe(true);
    expect(body.skipped).toEqual([5]);
    expect(snapshotV2Schema.safeParse(frame(body)).success).toBe(true);
  });

  it('halves the tuples, then moves the least pressed namespaces to skipped, until the frame fits', () => {
    const ownOnly = Buffer.byteLength(JSON.stringify(frame(namespacesBody({ ...ALL, measured: ALL.measured.slice(0, 1) }))));
    const small = namespacesBody(ALL, ownOnly + 3000)!;
    expect(Buffer.byteLength(JSON.stringify(frame(small)))).toBeLessThanOrEqual(ownOnly + 3000);
    expect(small.namespaces.length).toBe(2);
    expect(small.namespaces[0]!.report.tuples.length).toBeLessThan(NAMESPACE_TUPLES_PER_SNAPSHOT);
    const tiny = namespacesBody(ALL, ownOnly + 1000)!;
    expect(tiny.namespaces.map((n) => n.namespace.inode)).toEqual([3]);
    expect(tiny.skipped).toEqual([5, 2]);
    expect(snapshotV2Schema.safeParse(frame(tiny)).success).toBe(true);
  });

  it('is null when the own namespace was not measured', () => {
    expect(namespacesBody({ ...ALL, measured: ALL.measured.slice(1) })).toBeNull();
  });
});
