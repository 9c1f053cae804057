import { describe, expect, it } from 'vitest';
import { natRangesFromIptablesSave, natRangesFromNftJson, parseConntrackLine } from './read-snat.ts';

describe('NAT rules', () => {
  it('reads MASQUERADE and SNAT port ranges from iptables-save, null where a rule gives none', () => {
    const saved = [
      '*nat',
      ':POSTROUTING ACCEPT [0:0]',
      '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      '-A POSTROUTING -o eth1 -p tcp -j MASQUERADE --to-ports 40000-40049',
      '-A POSTROUTING -o eth2 -j SNAT --to-source 192.0.2.1:20000-20999',
      '-A POSTROUTING -o eth3 -j SNAT --to-source 192.0.2.2',
      '-A POSTROUTING -o eth4 -j ACCEPT',
      'COMMIT',
    ].join('\n');
    expect(natRangesFromIptablesSave(saved)).toEqual([null, { low: 40000, high: 40049 }, { low: 20000, high: 20999 }, null]);
  });

  it('reads masquerade and snat statements from nft -j list ruleset', () => {
    const ruleset = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.9', json_schema_version: 1 } },
        { table: { family: 'ip', name: 'pp', handle: 1 } },
        { rule: { family: 'ip', table: 'pp', chain: 'post', handle: 3, expr: [{ masquerade: { port: { range: [40000, 40049] } } }] } },
        { rule: { family: 'ip', table: 'pp', chain: 'post', handle: 4, expr: [{ masquerade: null }] } },
        { rule: { family: 'ip', table: 'pp', chain: 'post', handle: 5, expr: [{ snat: { addr: '192.0.2.1', port: 30000 } }] } },
      ],
    });
    expect(natRangesFromNftJson(ruleset)).toEqual([{ low: 40000, high: 40049 }, null, { low: 30000, high: 30000 }]);
    expect(natRangesFromNftJson('not json')).toEqual([]);
  });

  it('takes the pool of a conntrack entry from its original destination and its reply destination', () => {
    const line =
      'tcp      6 431999 ESTABLISHED src=10.77.1.2 dst=10.77.2.2 sport=51234 dport=5000 src=10.77.2.2 dst=10.77.2.1 sport=5000 dport=40012 [ASSURED] mark=0 use=1';
    expect(parseConntrackLine(line)).toEqual({ translatedAddress: '10.77.2.1', remoteAddress: '10.77.2.2', remotePort: 5000 });
    expect(parseConntrackLine('conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.')).toBeNull();
  });
});
