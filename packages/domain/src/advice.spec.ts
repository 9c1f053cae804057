import type { PortReport } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { adviseOnReport } from './advice.ts';
import { buildPortReport } from './port-accounting.ts';
import { accountingInput, clientSockets, listener, socket, sysctls } from './test-factories.ts';
import type { SocketRecord } from './socket-record.ts';

function codes(report: PortReport): string[] {
  return adviseOnReport(report, { threshold: 2 / 3 }).map((a) => a.code);
}

const timeWait = (count: number, overrides: Partial<SocketRecord> = {}): SocketRecord[] =>
  clientSockets(count, { state: 'TIME_WAIT', timeWaitSecondsLeft: 59, ...overrides });

describe('adviseOnReport', () => {
  it('has nothing to say about a quiet host', () => {
    expect(codes(buildPortReport(accountingInput({ range: { low: 32768, high: 60999 }, tcp: clientSockets(10) })))).toEqual([]);
  });

  it('names the tuple under pressure and a narrow range', () => {
    const advice = adviseOnReport(buildPortReport(accountingInput({ tcp: clientSockets(90) })), { threshold: 2 / 3 });
    expect(advice.map((a) => a.code)).toEqual(['TUPLE_PRESSURE', 'NARROW_RANGE', 'HOST_PORTS']);
    expect(advice[0]?.message).toContain('127.0.0.1 → 127.0.0.1:5000 holds 90 of 100 usable ports');
  });

  it('points at tcp_tw_reuse=0 when TIME_WAIT dominates a full tuple', () => {
    const report = buildPortReport(accountingInput({ sysctls: sysctls({ tcpTwReuse: 0 }), tcp: timeWait(100) }));
    const advice = adviseOnReport(report, { threshold: 0.9 });
    expect(advice.find((a) => a.code === 'TIME_WAIT_REUSE_OFF')?.message).toMatch(/tcp_tw_reuse=0: set it to 1/);
  });

  it('explains that tcp_tw_reuse=2 does not help a tuple that is not loopback', () => {
    const tcp = timeWait(100, { localAddress: '10.0.0.1', remoteAddress: '10.0.0.2' });
    expect(codes(buildPortReport(accountingInput({ tcp })))).toContain('TIME_WAIT_REUSE_LOOPBACK_ONLY');
  });

  it('points at tcp_timestamps=0 before anything else about TIME_WAIT', () => {
    const tcp = timeWait(100);
    expect(codes(buildPortReport(accountingInput({ sysctls: sysctls({ tcpTwReuse: 1, tcpTimestamps: 0 }), tcp })))).toContain(
      'TIME_WAIT_NO_TIMESTAMPS',
    );
  });

  it('warns about listeners inside the range and a full UDP pool', () => {
    const udp = clientSockets(95, { remotePort: 53 });
    const report = buildPortReport(accountingInput({ range: { low: 30000, high: 60000 }, tcp: [listener(40050)], udp }));
    expect(codes(report)).toEqual(['LISTENERS_IN_RANGE']);
    const small = buildPortReport(accountingInput({ tcp: [listener(40050), socket({ localPort: 40001 })], udp }));
    expect(codes(small)).toEqual(['LISTENERS_IN_RANGE', 'UDP_POOL']);
  });
});
