import { describe, expect, it } from 'vitest';
import { DestinationsProjection, destinationKey, type HostDestinations, type HostTupleFigures } from './destinations-projection.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

function tuple(remoteAddress: string, remotePort: number, used: number, pressure: number, localAddress = '10.0.0.1'): HostTupleFigures {
  return { localAddress, remoteAddress, remotePort, used, timeWait: Math.floor(used / 4), pressure };
}
function host(hostId: string, hostname: string, group: string | null, tuples: HostTupleFigures[]): HostDestinations {
  return { hostId, hostname, group, tuples };
}

describe('DestinationsProjection', () => {
  it('sums a destination over hosts and local addresses and names the most pressed host and tuple', () => {
    const p = new DestinationsProjection();
    p.put(
      host(A, 'a', null, [tuple('10.1.0.1', 443, 100, 0.1), tuple('10.1.0.1', 443, 300, 0.3, '10.0.0.2'), tuple('10.1.0.2', 80, 5, 0.05)]),
    );
    p.put(host(B, 'b', null, [tuple('10.1.0.1', 443, 250, 0.5)]));
    const { total, hostsReporting, destinations } = p.ranking(10);
    expect({ total, hostsReporting }).toEqual({ total: 2, hostsReporting: 2 });
    expect(destinations[0]).toEqual({
      remoteAddress: '10.1.0.1',
      remotePort: 443,
      hosts: 2,
      connections: 650,
      timeWait: 25 + 75 + 62,
      worst: { hostId: B, hostname: 'b', localAddress: '10.0.0.1', used: 250, timeWait: 62, pressure: 0.5 },
    });
    expect(destinations[1]).toMatchObject({ remoteAddress: '10.1.0.2', remotePort: 80, hosts: 1, connections: 5 });
  });

  it('re-ranks when a host reports again or leaves, and lists only the first `limit`', () => {
    const p = new DestinationsProjection();
    p.put(host(A, 'a', null, [tuple('10.1.0.1', 443, 100, 0.9)]));
    p.put(host(B, 'b', null, [tuple('10.1.0.2', 443, 10, 0.2)]));
    expect(p.ranking(1).destinations.map((d) => d.remoteAddress)).toEqual(['10.1.0.1']);
    p.put(host(A, 'a', null, [tuple('10.1.0.1', 443, 1, 0.01)]));
    expect(p.ranking(5).destinations.map((d) => d.remoteAddress)).toEqual(['10.1.0.2', '10.1.0.1']);
    p.remove(B);
    expect(p.ranking(5)).toMatchObject({ total: 1, hostsReporting: 1, destinations: [{ remoteAddress: '10.1.0.1', connections: 1 }] });
    p.replaceAll([host(C, 'c', null, [])]);
    expect(p.ranking(5)).toEqual({ total: 0, hostsReporting: 1, destinations: [] });
  });

  it("sums each egress group's connections per destination against the set or default limit", () => {
    const p = new DestinationsProjection();
    p.put(host(B, 'b', 'nat-1', [tuple('10.1.0.1', 443, 400, 0.4), tuple('10.1.0.2', 53, 10, 0.1)]));
    p.put(host(A, 'a', 'nat-1', [tuple('10.1.0.1', 443, 500, 0.5)]));
    p.put(host(C, 'c', null, [tuple('10.1.0.1', 443, 999, 0.99)]));
    const usage = p.egressUsage(new Map([[destinationKey('10.1.0.1', 443), 1000]]), 50);
    expect(usage).toEqual([
      {
        name: 'nat-1',
        anchorHostId: A,
        hosts: [
          { id: A, hostname: 'a' },
          { id: B, hostname: 'b' },
        ],
        destinations: [
          { remoteAddress: '10.1.0.1', remotePort: 443, connections: 900, hosts: 2, limit: 1000, defaultLimit: false, share: 0.9 },
          { remoteAddress: '10.1.0.2', remotePort: 53, connections: 10, hosts: 1, limit: 50, defaultLimit: true, share: 0.2 },
        ],
      },
    ]);
    p.put(host(B, 'b', 'nat-2', [tuple('10.1.0.1', 443, 400, 0.4)]));
    expect(p.egressUsage(new Map(), 1000).map((g) => [g.name, g.destinations[0]?.connections])).toEqual([
      ['nat-1', 500],
      ['nat-2', 400],
    ]);
  });

  it('moves a host to another group or name without its tuples', () => {
    const p = new DestinationsProjection();
    p.put(host(A, 'a', 'nat-1', [tuple('10.1.0.1', 443, 80, 0.8)]));
    expect(p.retag(A, 'a2', 'nat-2')).toBe(true);
    expect(p.egressSums().map((g) => [g.name, g.destinations[0]?.connections])).toEqual([['nat-2', 80]]);
    expect(p.ranking(1).destinations[0]?.worst.hostname).toBe('a2');
    expect(p.retag(B, 'b', null)).toBe(false);
  });
});
