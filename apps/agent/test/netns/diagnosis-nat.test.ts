import { diagnosticsSchema } from '@portpressure/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MASQUERADE_TO_SERVER, routeThrough, TestNamespace } from './netns.ts';
import { lacks } from '../../../../test/support/requirements.ts';

/**
 * client (10.77.1.2) ── router (10.77.1.1 | 10.77.2.1, masquerading to ports 40000-40049) ── server (10.77.2.2)
 * Three namespaces joined by veth pairs; the agent runs in the router's.
 */
describe.skipIf(lacks('SNAT diagnosis in namespaces', 'root'))('diagnosis of a masquerading router', () => {
  let client: TestNamespace;
  let router: TestNamespace;
  let server: TestNamespace;

  beforeEach(async () => {
    client = await TestNamespace.create();
    router = await TestNamespace.create();
    server = await TestNamespace.create();
    await routeThrough(client.name, router.name, server.name, '10.77');
  });

  /** The same rule written with either tool: masquerade TCP leaving toward the server, to ports 40000-40049. */
  const MASQUERADE: Record<'iptables' | 'nft', (ns: TestNamespace) => Promise<unknown>> = {
    iptables: (ns) => ns.exec('iptables', MASQUERADE_TO_SERVER),
    nft: (ns) =>
      ns.exec('nft', [
        'add table ip pp; add chain ip pp post { type nat hook postrouting priority 100 ; }; add rule ip pp post oifname "to-server" meta l4proto tcp masquerade to :40000-40049',
      ]),
  };

  afterEach(async () => {
    await Promise.all([client.destroy(), router.destroy(), server.destroy()]);
  });

  it.each(['iptables', 'nft'] as const)(
    'reports the SNAT ports in use against the NAT range and the conntrack figures, and warns before the range runs out (%s)',
    async (tool) => {
      await MASQUERADE[tool](router);
      const listener = await server.driver();
      await listener.listen('10.77.2.2', 5000);
      const clients = await client.driver();
      expect((await clients.connect('first', '10.77.2.2', 5000, { max: 30 })).succeeded).toBe(30);
      const probe = await router.diagnoseProbe();

      const first = diagnosticsSchema.parse((await probe.sample()).diagnostics);
      expect(first.snat).toEqual({
        portRange: { low: 40000, high: 40049 },
        pools: [
          { translatedAddress: '10.77.2.1', remoteAddress: '10.77.2.2', remotePort: 5000, portsInUse: 30, capacity: 50, pressure: 0.6 },
        ],
        poolCount: 1,
      });
      expect(first.conntrack?.count).toBeGreaterThanOrEqual(30);
      expect(first.conntrack?.max).toBeGreaterThan(0);
      expect(first.verdicts.map((v) => v.code)).toEqual([]);

      // 42 of 50: every connect still succeeds, and the verdict is already there.
      expect((await clients.connect('more', '10.77.2.2', 5000, { max: 12 })).succeeded).toBe(12);
      const second = diagnosticsSchema.parse((await probe.sample()).diagnostics);
      expect(second.snat?.pools[0]).toMatchObject({ portsInUse: 42, pressure: 0.84 });
      expect(second.conntrack?.insertFailed).toBe(0);
      expect(second.verdicts.map((v) => v.code)).toEqual(['snat-exhaustion']);
      expect(second.verdicts[0]?.text).toContain('42 of 50');
    },
  );

  it('reports no SNAT in a namespace that does not masquerade', async () => {
    const probe = await client.diagnoseProbe();
    const report = await probe.sample();
    expect(diagnosticsSchema.parse(report.diagnostics).snat).toBeNull();
  });
});
