import { describe, expect, it } from 'vitest';
import { aWorkload } from '../../../../packages/protocol/src/test-factories.ts';
import { containersText, filterWorkloads } from './workload-rows.ts';

describe('workload rows', () => {
  const cart = aWorkload();
  const web = aWorkload({
    id: '8',
    label: 'docker web',
    pod: null,
    containers: [{ runtime: 'docker', id: 'b'.repeat(64), name: null }],
    hostId: 'h2',
    hostname: 'edge-2',
    pressure: 0.4,
  });
  const blue = aWorkload({ id: '9', label: 'netns blue', name: 'blue', pod: null, containers: [], pressure: 0.1 });

  it('names containers, or shows a short id where the node knows no name', () => {
    expect(containersText(cart)).toBe('cart');
    expect(containersText(web)).toBe('bbbbbbbbbbbb');
    expect(containersText(blue)).toBe('');
  });

  it("keeps every word typed to workloads whose pod, container, netns name or host holds it, in the server's order", () => {
    const all = [cart, web, blue];
    expect(filterWorkloads(all, '')).toEqual(all);
    expect(filterWorkloads(all, 'SHOP')).toEqual([cart]);
    expect(filterWorkloads(all, 'node-1')).toEqual([cart, blue]);
    expect(filterWorkloads(all, 'edge bbbb')).toEqual([web]);
    expect(filterWorkloads(all, 'blue node')).toEqual([blue]);
    expect(filterWorkloads(all, 'cart edge')).toEqual([]);
  });
});
