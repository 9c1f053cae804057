import { describe, expect, it } from 'vitest';
import { aFleetHostRow } from '../../../../packages/protocol/src/test-factories.ts';
import { filterRows, liveRow, toRow, withWorstNamespace } from './fleet-rows.ts';

const pod = { id: '7', inode: 4026532281, label: 'pod shop/cart-7d9f', pod: null, container: 'cart' };
const podWorst = { localAddress: '10.1.0.4', remoteAddress: '10.0.0.9', remotePort: 443, used: 95, timeWait: 0, reclaimable: 0 };

describe('fleet rows and the worst namespace', () => {
  it("finds a host by its worst namespace's pod or container name", () => {
    const rows = [
      toRow(aFleetHostRow({ id: 'a', hostname: 'node-a', worstNamespace: pod })),
      toRow(aFleetHostRow({ id: 'b', hostname: 'node-b' })),
    ];
    expect(filterRows(rows, 'cart-7d9f', '').map((r) => r.host.id)).toEqual(['a']);
    expect(filterRows(rows, 'cart', '').map((r) => r.host.id)).toEqual(['a']);
  });

  it("keeps the worst namespace's figures when a live frame reports a calmer host namespace", () => {
    const before = aFleetHostRow({ pressure: 0.95, usable: 100, worst: podWorst, worstNamespace: pod });
    const live = aFleetHostRow({ pressure: 0.2, lastSeenAt: '2026-05-01T10:00:10Z' });
    expect(withWorstNamespace(live, before)).toEqual({ ...live, pressure: 0.95, usable: 100, worst: podWorst, worstNamespace: pod });
  });

  it("lets the host's own namespace take over once it is at least as pressed", () => {
    const before = aFleetHostRow({ pressure: 0.95, worst: podWorst, worstNamespace: pod });
    const live = aFleetHostRow({ pressure: 0.97 });
    expect(withWorstNamespace(live, before)).toEqual({ ...live, worstNamespace: null });
  });

  it('takes a live frame as it is for a host whose own namespace is the worst, or a new host', () => {
    const live = aFleetHostRow({ pressure: 0.3 });
    expect(withWorstNamespace(live, aFleetHostRow({ pressure: 0.6 }))).toBe(live);
    expect(withWorstNamespace(live, undefined)).toBe(live);
  });

  it('ranks a live row by the worst namespace the frame names, as the fleet endpoint does', () => {
    const live = aFleetHostRow({ pressure: 0.2 });
    const figures = { ...pod, pressure: 0.95, usable: 100, worst: podWorst };
    expect(liveRow(live, undefined, figures)).toEqual({ ...live, pressure: 0.95, usable: 100, worst: podWorst, worstNamespace: pod });
    // The pod calmed down below the host's own namespace, or has gone: the host's own figures.
    const before = aFleetHostRow({ pressure: 0.95, worst: podWorst, worstNamespace: pod });
    expect(liveRow(live, before, { ...figures, pressure: 0.1 })).toEqual({ ...live, worstNamespace: null });
    expect(liveRow(live, before, null)).toEqual({ ...live, worstNamespace: null });
    // No worst namespace in the frame (a version 1 agent): what the row had.
    expect(liveRow(live, before, undefined)).toEqual(withWorstNamespace(live, before));
  });
});
