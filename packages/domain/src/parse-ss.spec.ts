import { describe, expect, it } from 'vitest';
import { DomainError } from './domain-error.ts';
import { SsParser, parseSs, parseSsTimer } from './parse-ss.ts';
import { SocketColumns } from './socket-columns.ts';
import { asciiBytes } from './text-bytes.ts';

// `ss -tanH` output captured from iproute2 6.1 on Linux 6.18.
const TCP_ALL = `LISTEN    0      511             127.0.0.1:5000             0.0.0.0:*    
ESTAB     0      0               127.0.0.3:40043          127.0.0.1:5000 
ESTAB     0      0               127.0.0.1:40050          127.0.0.1:40046
TIME-WAIT 0      0               127.0.0.1:40004          127.0.0.1:5000 
LISTEN    0      511                     *:40051                  *:*    
ESTAB     0      0      [::ffff:127.0.0.1]:40020 [::ffff:127.0.0.1]:5000 
ESTAB     0      0                   [::1]:40006              [::1]:5000 
`;

describe('parseSs', () => {
  it('reads state, addresses and ports, writing mapped IPv6 as IPv4', () => {
    const records = parseSs(TCP_ALL).tcp.toRecords();
    expect(records.map((r) => `${r.state} ${r.localAddress}:${r.localPort} ${r.remoteAddress}:${r.remotePort}`)).toEqual([
      'LISTEN 127.0.0.1:5000 0.0.0.0:0',
      'ESTABLISHED 127.0.0.3:40043 127.0.0.1:5000',
      'ESTABLISHED 127.0.0.1:40050 127.0.0.1:40046',
      'TIME_WAIT 127.0.0.1:40004 127.0.0.1:5000',
      'LISTEN :::40051 :::0',
      'ESTABLISHED 127.0.0.1:40020 127.0.0.1:5000',
      'ESTABLISHED ::1:40006 ::1:5000',
    ]);
  });

  it('leaves the TIME_WAIT timer unknown when ss was not asked for timers', () => {
    expect(
      parseSs(TCP_ALL)
        .tcp.toRecords()
        .find((r) => r.state === 'TIME_WAIT')?.timeWaitSecondsLeft,
    ).toBeNull();
  });

  it('reads single-state output, which has no State column, and its timers', () => {
    const text =
      '0      0      127.0.0.1:40004 127.0.0.1:5000 timer:(timewait,59sec,0)\n0 0 [::1]:40007 [::1]:5000 timer:(timewait,8.250ms,0)\n';
    expect(parseSs(text, { state: 'TIME_WAIT' }).tcp.toRecords()).toEqual([
      {
        state: 'TIME_WAIT',
        localAddress: '127.0.0.1',
        localPort: 40004,
        remoteAddress: '127.0.0.1',
        remotePort: 5000,
        timeWaitSecondsLeft: 59,
      },
      { state: 'TIME_WAIT', localAddress: '::1', localPort: 40007, remoteAddress: '::1', remotePort: 5000, timeWaitSecondsLeft: 8 },
    ]);
  });

  it('drops an interface suffix so both sources give the same address', () => {
    const [record] = parseSs('ESTAB 0 0 127.0.0.1%lo:40001 127.0.0.1:5000\nESTAB 0 0 [fe80::1]%eth0:40002 [fe80::2]:22\n').tcp.toRecords();
    expect(record).toMatchObject({ localAddress: '127.0.0.1', localPort: 40001 });
    expect(parseSs('ESTAB 0 0 [fe80::1]%eth0:40002 [fe80::2]:22\n').tcp.toRecords()[0]).toMatchObject({
      localAddress: 'fe80::1',
      remoteAddress: 'fe80::2',
    });
  });

  it('reads UDP output (UNCONN is the kernel CLOSE state)', () => {
    const lists = parseSs('UNCONN 0      0            0.0.0.0:40011      0.0.0.0:*\nESTAB 0      0      127.0.0.1:40096 127.0.0.1:7000\n', {
      protocol: 'udp',
    });
    expect(lists.tcp.size).toBe(0);
    expect(lists.udp.toRecords().map((r) => r.state)).toEqual(['CLOSE', 'ESTABLISHED']);
  });

  it('sorts lines with a Netid column (ss -tu) into TCP and UDP', () => {
    const text =
      'tcp ESTAB 0      0      127.0.0.1:41780 127.0.0.1:5003\nudp UNCONN 0 0 0.0.0.0:40011 0.0.0.0:*\ntcp TIME-WAIT 0 0 127.0.0.1:41781 127.0.0.1:5003 timer:(timewait,42sec,0)\n';
    const lists = parseSs(text);
    expect(lists.tcp.toRecords().map((r) => [r.state, r.localPort, r.timeWaitSecondsLeft])).toEqual([
      ['ESTABLISHED', 41780, null],
      ['TIME_WAIT', 41781, 42],
    ]);
    expect(lists.udp.toRecords().map((r) => [r.state, r.localPort])).toEqual([['CLOSE', 40011]]);
  });

  it('skips sockets outside the requested bounds', () => {
    expect(
      parseSs(TCP_ALL, { localPorts: { low: 40000, high: 40049 } })
        .tcp.toRecords()
        .map((r) => r.localPort),
    ).toEqual([40043, 40004, 40020, 40006]);
  });

  it('reads the same sockets whatever the chunk boundaries of the stream', () => {
    const whole = parseSs(TCP_ALL).tcp.toRecords();
    const bytes = asciiBytes(TCP_ALL.trimEnd());
    for (const size of [1, 7, 64, 100]) {
      const lists = { tcp: new SocketColumns(), udp: new SocketColumns() };
      const parser = new SsParser({}, lists);
      for (let i = 0; i < bytes.length; i += size) parser.push(bytes.slice(i, i + size));
      parser.end();
      expect(lists.tcp.toRecords()).toEqual(whole);
    }
  });

  it('refuses unknown states and broken endpoints with a clear message', () => {
    expect(() => parseSs('WEIRD 0 0 127.0.0.1:1 127.0.0.1:2\n')).toThrow(DomainError);
    expect(() => parseSs('ESTAB 0 0 127.0.0.1 127.0.0.1:2\n')).toThrow(/bad address:port/);
    expect(() => parseSs('ESTAB 0 0 127.0.0.1:1\n')).toThrow(/too few columns/);
    expect(() => parseSs('0 0 127.0.0.1:1 127.0.0.1:2 timer:(timewait,soon,0)\n', { state: 'TIME_WAIT' })).toThrow(/bad timer/);
  });
});

describe('parseSsTimer (iproute2 print_ms_timer)', () => {
  it.each([
    ['timer:(timewait,59sec,0)', 59_000],
    ['timer:(timewait,1min,0)', 60_000],
    ['timer:(timewait,1min1sec,0)', 61_000],
    ['timer:(timewait,9.123ms,0)', 9_123],
    ['timer:(timewait,5sec,0)', 5_000],
    ['timer:(timewait,250ms,0)', 250],
    ['timer:(timewait,,0)', 0],
    ['timer:(keepalive,1min30sec,0)', 90_000],
    ['timer:(on,200ms,3)', 200],
  ])('reads %s as %i ms', (token, ms) => {
    expect(parseSsTimer(token)).toBe(ms);
  });

  it('returns null for something that is not a timer', () => {
    expect(parseSsTimer('users:(("node",pid=1,fd=3))')).toBeNull();
    expect(parseSsTimer('timer:(timewait,59min59min,0)')).toBeNull();
    expect(parseSsTimer('timer:(timewait,59sec,)')).toBeNull();
    expect(parseSsTimer('timer:(timewait,59sec,0')).toBeNull();
  });
});
