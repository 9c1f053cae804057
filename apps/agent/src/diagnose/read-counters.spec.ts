import { describe, expect, it } from 'vitest';
import { parseConntrackS, parseConntrackStats } from './read-conntrack.ts';
import { parseNetstat } from './read-kernel-counters.ts';

describe('kernel counter files', () => {
  it('pairs the name and value lines of /proc/net/netstat and /proc/net/snmp', () => {
    const text = [
      'TcpExt: SyncookiesSent TWRecycled TCPTimeWaitOverflow',
      'TcpExt: 0 17 3',
      'Tcp: RtoAlgorithm ActiveOpens AttemptFails',
      'Tcp: 1 1200 4',
    ].join('\n');
    const values = parseNetstat(text);
    expect(values.get('TcpExt.TWRecycled')).toBe(17);
    expect(values.get('TcpExt.TCPTimeWaitOverflow')).toBe(3);
    expect(values.get('Tcp.ActiveOpens')).toBe(1200);
  });

  it('sums the hexadecimal per-CPU lines of /proc/net/stat/nf_conntrack by column name', () => {
    const text = [
      'entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop',
      '00000010  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000002 0000000a 00000001',
      '00000010  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000001 00000000 00000000',
    ].join('\n');
    const sums = parseConntrackStats(text);
    expect(sums?.get('insert_failed')).toBe(3);
    expect(sums?.get('drop')).toBe(10);
    expect(sums?.get('early_drop')).toBe(1);
  });

  it('sums the per-CPU lines of conntrack -S where the statistics file is missing', () => {
    const text = [
      'cpu=0   \tfound=0 invalid=4 insert=0 insert_failed=2 drop=1 early_drop=0 error=0 search_restart=0',
      'cpu=1   \tfound=0 invalid=0 insert=0 insert_failed=1 drop=0 early_drop=5 error=0 search_restart=0',
    ].join('\n');
    const sums = parseConntrackS(text);
    expect([sums?.get('insert_failed'), sums?.get('drop'), sums?.get('early_drop'), sums?.has('cpu')]).toEqual([3, 1, 5, false]);
    expect(parseConntrackS('')).toBeNull();
  });
});
