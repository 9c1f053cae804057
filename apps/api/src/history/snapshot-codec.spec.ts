import { portReportSchema, TCP_STATES, type PortReport, type TupleUsage } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { aTupleTo } from '../../../../packages/protocol/src/test-factories.ts';
import {
  decodeReport,
  decodeTuples,
  encodeReport,
  scanTuples,
  SnapshotCodecError,
  TupleDictionary,
  type TupleKey,
} from './snapshot-codec.ts';

const tuple = (remotePort: number, used: number, reclaimable = 0): TupleUsage =>
  aTupleTo(remotePort, used, { timeWait: reclaimable, reclaimable, usable: 28_232 });

function report(tuples: TupleUsage[], over: Partial<PortReport> = {}): PortReport {
  return portReportSchema.parse({
    source: 'netlink',
    range: { low: 32768, high: 60999 },
    reservedPorts: '',
    reservedInRange: 0,
    capacity: 28_232,
    bindOwned: 0,
    usable: 28_232,
    hostPortsInUse: tuples.reduce((n, t) => n + t.used, 0),
    pressure: tuples[0]?.pressure ?? 0,
    sysctls: { tcpTwReuse: 2, tcpTwReuseDelayMs: null, tcpTimestamps: 1, tcpFinTimeout: 60, tcpMaxTwBuckets: 262_144 },
    tuples,
    tupleCount: tuples.length,
    udp: { used: 0, capacity: 28_232, pressure: 0 },
    ...over,
  });
}

function roundTrip(r: PortReport): { decoded: PortReport; bytes: number } {
  const dict = new TupleDictionary();
  const data = encodeReport(r, (t) => dict.numberOf(t, () => undefined));
  const decoded = decodeReport(data, { pressure: r.pressure, usable: r.usable, hostPortsInUse: r.hostPortsInUse }, (n) => dict.tupleOf(n));
  return { decoded, bytes: data.length };
}

describe('snapshot codec', () => {
  it('gives back exactly the report it was given', () => {
    const r = report([tuple(443, 900, 300), tuple(5432, 120), tuple(80, 3, 1)]);
    expect(roundTrip(r).decoded).toEqual(r);
  });

  it('keeps a report without tuples, IPv6 tuples, every TCP state, null and maximal sysctls, reserved ports', () => {
    const v6: TupleUsage = {
      protocol: 'tcp',
      localAddress: '2001:db8::1',
      remoteAddress: 'fe80::1',
      remotePort: 65535,
      used: 60000,
      timeWait: 60000,
      reclaimable: 0,
      pressure: 1,
      states: {
        ESTABLISHED: 0,
        SYN_SENT: 1,
        SYN_RECV: 2,
        FIN_WAIT1: 3,
        FIN_WAIT2: 4,
        TIME_WAIT: 60000,
        CLOSE: 6,
        CLOSE_WAIT: 7,
        LAST_ACK: 8,
        LISTEN: 9,
        CLOSING: 10,
      },
    };
    const full = report([v6], {
      source: 'proc',
      range: { low: 1, high: 65535 },
      reservedPorts: '8080,40000-40009',
      reservedInRange: 10,
      capacity: 65525,
      bindOwned: 5,
      usable: 65520,
      hostPortsInUse: 65535,
      pressure: 1,
      tupleCount: 10_000_000,
      sysctls: { tcpTwReuse: 0, tcpTwReuseDelayMs: 600_000, tcpTimestamps: 2, tcpFinTimeout: 86_400, tcpMaxTwBuckets: 2 ** 31 - 1 },
      udp: { used: 65525, capacity: 65525, pressure: 1 },
    });
    expect(roundTrip(full).decoded).toEqual(full);
    const empty = report([], { sysctls: { tcpTwReuse: 1, tcpTwReuseDelayMs: 0, tcpTimestamps: 0, tcpFinTimeout: 0, tcpMaxTwBuckets: 0 } });
    expect(roundTrip(empty).decoded).toEqual(empty);
  });

  it('keeps the states of a tuple whatever order its object lists them in (as JSON from an agent may)', () => {
    const r = report([tuple(443, 9)]);
    // after the schema (which orders keys as it declares them): the order a frame's JSON had
    r.tuples[0]!.states = { CLOSE_WAIT: 1, TIME_WAIT: 5, ESTABLISHED: 3 };
    const decoded = roundTrip(r).decoded.tuples[0]!.states;
    expect(decoded).toEqual({ ESTABLISHED: 3, TIME_WAIT: 5, CLOSE_WAIT: 1 });
    expect(Object.keys(decoded)).toEqual(TCP_STATES.filter((s) => s in decoded));
  });

  it('stores a pressure that is not derived from the counts as it was sent', () => {
    const odd = { ...tuple(443, 100), pressure: 0.123456789 };
    const r = report([odd]);
    const { decoded, bytes } = roundTrip(r);
    expect(decoded.tuples[0]!.pressure).toBe(0.123456789);
    expect(bytes).toBeGreaterThan(roundTrip(report([tuple(443, 100)])).bytes + 7);
  });

  it('keeps each tuple at one number across snapshots and numbers new tuples after the known ones', () => {
    const dict = new TupleDictionary();
    const added: [number, TupleKey][] = [];
    const numberOf = (t: TupleKey) => dict.numberOf(t, (n, k) => added.push([n, k]));
    encodeReport(report([tuple(1, 5), tuple(2, 5)]), numberOf);
    encodeReport(report([tuple(2, 6), tuple(3, 1)]), numberOf);
    expect(added.map(([n, k]) => [n, k.remotePort])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const reloaded = new TupleDictionary();
    for (const [n, k] of added) reloaded.add(n, k);
    const data = encodeReport(report([tuple(3, 9)]), (t) => reloaded.numberOf(t, () => expect.unreachable('known tuple')));
    expect(decodeTuples(data, 28_232).map((t) => t.tupleNo)).toEqual([2]);
  });

  it('takes under 10 bytes for a usual tuple', () => {
    const tuples = Array.from({ length: 50 }, (_, i) => tuple(1000 + i, 50 + i * 3, i % 7));
    const { bytes } = roundTrip(report(tuples));
    expect(bytes).toBeLessThan(50 * 10 + 40);
  });

  it('refuses truncated, trailing and unknown-version data, and unknown tuple numbers', () => {
    const dict = new TupleDictionary();
    const data = encodeReport(report([tuple(443, 9)]), (t) => dict.numberOf(t, () => undefined));
    const cols = { pressure: 0, usable: 28_232, hostPortsInUse: 9 };
    expect(() => decodeReport(data.subarray(0, data.length - 1), cols, (n) => dict.tupleOf(n))).toThrow(SnapshotCodecError);
    expect(() => decodeReport(Buffer.concat([data, Buffer.from([0])]), cols, (n) => dict.tupleOf(n))).toThrow(/trailing/);
    expect(() => decodeReport(Buffer.from([9, ...data.subarray(1)]), cols, (n) => dict.tupleOf(n))).toThrow(/version 9/);
    expect(() => decodeReport(data, cols, (n) => new TupleDictionary().tupleOf(n))).toThrow(/not in the host's dictionary/);
  });
});

describe('scanTuples', () => {
  it('hands over exactly what decodeTuples reads, for every kind of tuple, and refuses bad data alike', () => {
    const odd = { ...tuple(80, 7, 2), pressure: 0.5 };
    const r = report([tuple(443, 900, 300), odd, { ...tuple(22, 4), states: { SYN_SENT: 1, CLOSING: 3, ESTABLISHED: 0 } }], {
      reservedPorts: '8080,40000-40009',
      reservedInRange: 0,
    });
    const dict = new TupleDictionary();
    const data = encodeReport(r, (t) => dict.numberOf(t, () => undefined));
    const scanned: unknown[] = [];
    scanTuples(data, r.usable, (tupleNo, used, timeWait, reclaimable, pressure, states) => {
      const s: Record<string, number> = {};
      TCP_STATES.forEach((name, i) => states[i] && (s[name] = states[i]!));
      scanned.push({ tupleNo, used, timeWait, reclaimable, pressure, states: s });
    });
    const decoded = decodeTuples(data, r.usable).map((t) => ({
      ...t,
      states: Object.fromEntries(Object.entries(t.states).filter(([, n]) => n)),
    }));
    expect(scanned).toEqual(decoded);
    expect(() => scanTuples(data.subarray(0, data.length - 2), r.usable, () => undefined)).toThrow(SnapshotCodecError);
    expect(() => scanTuples(Buffer.concat([data, Buffer.from([1])]), r.usable, () => undefined)).toThrow(/trailing/);
  });
});
