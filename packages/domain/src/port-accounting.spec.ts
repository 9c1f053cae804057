import { portReportSchema } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { buildPortReport } from './port-accounting.ts';
import { accountingInput, clientSockets, listener, socket, sysctls } from './test-factories.ts';

describe('buildPortReport', () => {
  it('reports a full tuple at pressure 1 (T1)', () => {
    const report = buildPortReport(accountingInput({ tcp: [listener(5000, '127.0.0.1'), ...clientSockets(100)] }));
    expect(report).toMatchObject({ capacity: 100, bindOwned: 0, usable: 100, pressure: 1, tupleCount: 1, hostPortsInUse: 100 });
    expect(report.tuples[0]).toMatchObject({
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      remotePort: 5000,
      used: 100,
      pressure: 1,
      states: { ESTABLISHED: 100 },
    });
    expect(() => portReportSchema.parse(report)).not.toThrow();
  });

  it('keeps tuples that share port numbers apart (T2)', () => {
    const tcp = [
      ...clientSockets(100),
      ...clientSockets(100, { remotePort: 5001 }),
      ...clientSockets(100, { remoteAddress: '127.0.0.2' }),
      ...clientSockets(100, { localAddress: '127.0.0.3' }),
    ];
    const report = buildPortReport(accountingInput({ tcp }));
    expect(report.tupleCount).toBe(4);
    expect(report.tuples.map((t) => t.used)).toEqual([100, 100, 100, 100]);
    expect(report.hostPortsInUse).toBe(100);
  });

  it('takes reserved ports out of capacity and out of every count (T3)', () => {
    const report = buildPortReport(accountingInput({ reservedPorts: '8080,40000-40009,40050,40098-40099', tcp: clientSockets(100) }));
    expect(report).toMatchObject({ reservedInRange: 13, capacity: 87, usable: 87, reservedPorts: '8080,40000-40009,40050,40098-40099' });
    expect(report.tuples[0]?.used).toBe(87);
  });

  it('counts listeners inside the range as bindOwned and excludes their accepted sockets (T4, T11)', () => {
    const accepted = clientSockets(20, { localPort: 40050 }).map((s, i) => ({ ...s, localPort: 40050, remotePort: 40060 + i }));
    const clients = clientSockets(20, { remotePort: 40050 }, 40060);
    const report = buildPortReport(accountingInput({ tcp: [listener(40050), listener(40051, '::'), ...accepted, ...clients] }));
    expect(report).toMatchObject({ bindOwned: 2, usable: 98, tupleCount: 1 });
    expect(report.tuples[0]).toMatchObject({ remotePort: 40050, used: 20 });
    expect(report.hostPortsInUse).toBe(22);
  });

  it('counts TIME_WAIT without reuse as fully blocking (T5)', () => {
    const tcp = clientSockets(100, { state: 'TIME_WAIT', timeWaitSecondsLeft: 58 });
    const report = buildPortReport(accountingInput({ sysctls: sysctls({ tcpTwReuse: 0 }), tcp }));
    expect(report.tuples[0]).toMatchObject({ used: 100, timeWait: 100, reclaimable: 0, pressure: 1 });
  });

  it('counts old loopback TIME_WAIT as reclaimable with tcp_tw_reuse=2 (T6)', () => {
    const tcp = clientSockets(100, { state: 'TIME_WAIT', timeWaitSecondsLeft: 58 });
    const report = buildPortReport(accountingInput({ sysctls: sysctls({ tcpTwReuse: 2 }), tcp }));
    expect(report.tuples[0]).toMatchObject({ used: 100, timeWait: 100, reclaimable: 100, pressure: 0 });
    expect(report.pressure).toBe(0);
  });

  it('does not count young TIME_WAIT entries as reclaimable', () => {
    const tcp = [
      ...clientSockets(60, { state: 'TIME_WAIT', timeWaitSecondsLeft: 59 }),
      ...clientSockets(40, { state: 'TIME_WAIT', timeWaitSecondsLeft: 30 }, 40060),
    ];
    const report = buildPortReport(accountingInput({ tcp }));
    expect(report.tuples[0]).toMatchObject({ timeWait: 100, reclaimable: 40, pressure: 0.6 });
  });

  it('ignores server-side TIME_WAIT on a listener port outside the range (T7)', () => {
    const serverTimeWait = clientSockets(100, { state: 'TIME_WAIT', timeWaitSecondsLeft: 50 }).map((s) => ({
      ...s,
      localPort: 5000,
      remotePort: s.localPort,
    }));
    const report = buildPortReport(accountingInput({ tcp: [listener(5000), ...serverTimeWait] }));
    expect(report).toMatchObject({ tupleCount: 0, pressure: 0, hostPortsInUse: 0 });
  });

  it('keeps v4 and ::1 tuples apart (T9) and counts states per tuple', () => {
    const tcp = [
      ...clientSockets(50),
      ...clientSockets(50, { localAddress: '::1', remoteAddress: '::1' }, 40050),
      socket({ state: 'FIN_WAIT2', localPort: 40099 }),
    ];
    const report = buildPortReport(accountingInput({ tcp }));
    expect(report.tupleCount).toBe(2);
    expect(report.tuples[0]).toMatchObject({ localAddress: '127.0.0.1', used: 51, states: { ESTABLISHED: 50, FIN_WAIT2: 1 } });
    expect(report.tuples[1]).toMatchObject({ localAddress: '::1', used: 50 });
  });

  it('counts the UDP pool as distinct ports against capacity (T10)', () => {
    const udp = clientSockets(100, { state: 'ESTABLISHED', remotePort: 7000 }).map((s, i) => ({ ...s, remotePort: 7000 + (i % 7) }));
    const report = buildPortReport(
      accountingInput({ udp: [...udp, socket({ localPort: 40000, state: 'CLOSE' }), socket({ localPort: 39999 })] }),
    );
    expect(report.udp).toEqual({ used: 100, capacity: 100, pressure: 1 });
    expect(report.pressure).toBe(0);
  });

  it('lists the worst tuples first, capped, while counting all of them', () => {
    const tcp = [...clientSockets(10, { remotePort: 1 }), ...clientSockets(30, { remotePort: 2 }), ...clientSockets(20, { remotePort: 3 })];
    const report = buildPortReport(accountingInput({ tcp, maxTuples: 2 }));
    expect(report.tupleCount).toBe(3);
    expect(report.tuples.map((t) => [t.remotePort, t.pressure])).toEqual([
      [2, 0.3],
      [3, 0.2],
    ]);
    expect(report.pressure).toBe(0.3);
  });

  it('reports the worst pressure even when no tuple is listed', () => {
    const report = buildPortReport(accountingInput({ tcp: clientSockets(70), maxTuples: 0 }));
    expect(report).toMatchObject({ tuples: [], tupleCount: 1, pressure: 0.7 });
  });

  it('ignores sockets outside the range, listeners outside it, and unconnected sockets', () => {
    const tcp = [listener(5000), socket({ localPort: 39999 }), socket({ state: 'CLOSE', remotePort: 0, remoteAddress: '0.0.0.0' })];
    const report = buildPortReport(accountingInput({ tcp }));
    expect(report).toMatchObject({ bindOwned: 0, tupleCount: 0, hostPortsInUse: 1 });
  });

  it('caps pressure at 1 when a tuple uses more than is usable, and reports 1 with nothing usable', () => {
    const tcp = [...clientSockets(100), listener(40098), listener(40099)];
    const report = buildPortReport(accountingInput({ tcp }));
    expect(report.usable).toBe(98);
    expect(report.tuples[0]).toMatchObject({ used: 98, pressure: 1 });
    const none = buildPortReport(accountingInput({ range: { low: 40000, high: 40000 }, tcp: [listener(40000)] }));
    expect(none).toMatchObject({ usable: 0, pressure: 0 });
  });

  it('refuses an invalid range', () => {
    expect(() => buildPortReport(accountingInput({ range: { low: 500, high: 400 } }))).toThrow(/invalid port range/);
  });
});
