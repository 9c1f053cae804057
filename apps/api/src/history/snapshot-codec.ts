import { SOCKET_SOURCES, TCP_STATES, type PortReport, type StateCounts, type TcpState, type TupleUsage } from '@portpressure/protocol';

/**
 * The compact form of a stored snapshot: everything a report says beyond the three figures kept as
 * columns (pressure, usable, host ports in use, which SQL buckets directly), packed into one bytea.
 *
 * A tuple's identity (protocol, addresses, port) is not repeated per snapshot: each host has a
 * dictionary (host_tuples) numbering the tuples it ever reported, and a snapshot stores the number.
 * Counts are unsigned LEB128 varints, so the usual tuple (a number under 128, counts in the
 * hundreds, two or three states) takes 7-9 bytes instead of a ~150-byte row. A tuple's pressure is
 * not stored when it equals what the agent computes from its counts ((used − reclaimable) /
 * usable, capped to [0, 1]); any other value is stored as a float64, so decoding is always exact.
 *
 * Layout, version 1:
 *   u8 version · u8 source · varint range.low · varint range.high · varint reservedInRange ·
 *   varint bindOwned · varint tupleCount · varint udp.used · varint tcpTwReuse ·
 *   varint (tcpTwReuseDelayMs + 1, or 0 for null) · varint tcpTimestamps · varint tcpFinTimeout ·
 *   varint tcpMaxTwBuckets · varint reservedPorts length · reservedPorts (ASCII) · varint tuples ·
 *   per tuple: varint tuple number · varint used · varint timeWait · varint reclaimable ·
 *              varint flags (bit i: state TCP_STATES[i] listed; bit 11: explicit pressure follows) ·
 *              varint per listed state, in TCP_STATES order · [float64 big-endian pressure]
 *
 * The migration that converted the old row-per-tuple layout produces the same bytes in SQL
 * (prisma/migrations/20261204001000_compact_history): keep the two in step.
 */
const CODEC_VERSION = 1;
const EXPLICIT_PRESSURE = 1 << TCP_STATES.length;
/** A state's bit in the flags: a tuple lists two or three states, so they are looked up, not all eleven tried. */
const STATE_BIT = new Map<string, number>(TCP_STATES.map((state, i) => [state, 1 << i]));

/** A tuple's identity: what the per-host dictionary numbers. */
export interface TupleKey {
  protocol: 'tcp';
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
}

/** The figures a snapshot keeps as columns, needed to rebuild the report. */
export interface SnapshotColumns {
  pressure: number;
  usable: number;
  hostPortsInUse: number;
}

export class SnapshotCodecError extends Error {
  readonly code = 'SNAPSHOT_CODEC';
}

/** The pressure the agent derives from a tuple's counts (packages/domain tuplePressure). */
function derivedPressure(used: number, reclaimable: number, usable: number): number {
  if (usable <= 0) return 1;
  return Math.min(1, Math.max(0, (used - reclaimable) / usable));
}

class Writer {
  // a 50-tuple snapshot takes about 500 bytes: one buffer, never regrown
  private buf = Buffer.allocUnsafe(1024);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }

  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new SnapshotCodecError(`cannot encode ${v} as an unsigned varint`);
    this.room(8);
    while (v >= 128) {
      this.buf[this.at++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.at++] = v;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleBE(v, this.at);
    this.at += 8;
  }

  ascii(s: string): void {
    this.varint(s.length);
    this.room(s.length);
    this.at += this.buf.write(s, this.at, 'latin1');
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.at));
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new SnapshotCodecError('stored snapshot is truncated');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 127) * scale;
      if (b < 128) return v;
      scale *= 128;
      if (scale > 2 ** 49) throw new SnapshotCodecError('stored snapshot has an overlong varint');
    }
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.at);
    this.at += 8;
    return v;
  }

  ascii(): string {
    const n = this.varint();
    this.need(n);
    const s = this.buf.toString('latin1', this.at, this.at + n);
    this.at += n;
    return s;
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }
}

/**
 * Encodes a report's non-column parts; `numberOf` gives each listed tuple's number in the host's
 * dictionary (the caller assigns new numbers and stores them with the snapshot).
 */
export function encodeReport(report: PortReport, numberOf: (tuple: TupleKey) => number): Buffer {
  const w = new Writer();
  w.u8(CODEC_VERSION);
  w.u8(SOCKET_SOURCES.indexOf(report.source));
  w.varint(report.range.low);
  w.varint(report.range.high);
  w.varint(report.reservedInRange);
  w.varint(report.bindOwned);
  w.varint(report.tupleCount);
  w.varint(report.udp.used);
  const s = report.sysctls;
  w.varint(s.tcpTwReuse);
  w.varint(s.tcpTwReuseDelayMs === null ? 0 : s.tcpTwReuseDelayMs + 1);
  w.varint(s.tcpTimestamps);
  w.varint(s.tcpFinTimeout);
  w.varint(s.tcpMaxTwBuckets);
  w.ascii(report.reservedPorts);
  w.varint(report.tuples.length);
  for (const t of report.tuples) {
    w.varint(numberOf(t));
    w.varint(t.used);
    w.varint(t.timeWait);
    w.varint(t.reclaimable);
    let flags = 0;
    for (const state in t.states) {
      if (t.states[state as TcpState] !== undefined) flags |= STATE_BIT.get(state) ?? 0;
    }
    const explicit = !Object.is(t.pressure, derivedPressure(t.used, t.reclaimable, report.usable));
    if (explicit) flags |= EXPLICIT_PRESSURE;
    w.varint(flags);
    for (let i = 0; i < TCP_STATES.length; i++) if (flags & (1 << i)) w.varint(t.states[TCP_STATES[i]!]!);
    if (explicit) w.f64(t.pressure);
  }
  return w.done();
}

/** One listed tuple as stored: its dictionary number and its figures. */
export interface EncodedTuple {
  tupleNo: number;
  used: number;
  timeWait: number;
  reclaimable: number;
  pressure: number;
  states: StateCounts;
}

interface DecodedHeader {
  source: PortReport['source'];
  range: { low: number; high: number };
  reservedInRange: number;
  bindOwned: number;
  tupleCount: number;
  udpUsed: number;
  sysctls: PortReport['sysctls'];
  reservedPorts: string;
}

function readHeader(r: Reader): DecodedHeader {
  const version = r.u8();
  if (version !== CODEC_VERSION) throw new SnapshotCodecError(`stored snapshot has unknown format version ${version}`);
  const source = SOCKET_SOURCES[r.u8()];
  if (source === undefined) throw new SnapshotCodecError('stored snapshot has an unknown source');
  const low = r.varint();
  const high = r.varint();
  const reservedInRange = r.varint();
  const bindOwned = r.varint();
  const tupleCount = r.varint();
  const udpUsed = r.varint();
  const tcpTwReuse = r.varint();
  const delay = r.varint();
  const sysctls = {
    tcpTwReuse,
    tcpTwReuseDelayMs: delay === 0 ? null : delay - 1,
    tcpTimestamps: r.varint(),
    tcpFinTimeout: r.varint(),
    tcpMaxTwBuckets: r.varint(),
  };
  return { source, range: { low, high }, reservedInRange, bindOwned, tupleCount, udpUsed, sysctls, reservedPorts: r.ascii() };
}

function readTuples(r: Reader, usable: number): EncodedTuple[] {
  const n = r.varint();
  const tuples: EncodedTuple[] = [];
  for (let k = 0; k < n; k++) {
    const tupleNo = r.varint();
    const used = r.varint();
    const timeWait = r.varint();
    const reclaimable = r.varint();
    const flags = r.varint();
    const states: StateCounts = {};
    TCP_STATES.forEach((state: TcpState, i) => {
      if (flags & (1 << i)) states[state] = r.varint();
    });
    const pressure = flags & EXPLICIT_PRESSURE ? r.f64() : derivedPressure(used, reclaimable, usable);
    tuples.push({ tupleNo, used, timeWait, reclaimable, pressure, states });
  }
  if (r.remaining !== 0) throw new SnapshotCodecError('stored snapshot has trailing bytes');
  return tuples;
}

/** Receives each listed tuple of a snapshot; `states` (by TCP_STATES index, 0 when absent) is reused between calls. */
export type TupleSink = (
  tupleNo: number,
  used: number,
  timeWait: number,
  reclaimable: number,
  pressure: number,
  states: Int32Array,
) => void;

const HEADER_VARINTS = 11;
const scanStates = new Int32Array(TCP_STATES.length);

/**
 * Hands every listed tuple of a stored snapshot to `sink` without building objects: history reads
 * hundreds of snapshots of 50 tuples per request, and per-tuple objects cost most of its time.
 * Same checks as decodeReport.
 */
export function scanTuples(data: Buffer, usable: number, sink: TupleSink): void {
  let pos = 0;
  const end = data.length;
  const varint = (): number => {
    let v = 0;
    let scale = 1;
    for (;;) {
      if (pos >= end) throw new SnapshotCodecError('stored snapshot is truncated');
      const b = data[pos++]!;
      v += (b & 127) * scale;
      if (b < 128) return v;
      scale *= 128;
      if (scale > 2 ** 49) throw new SnapshotCodecError('stored snapshot has an overlong varint');
    }
  };
  if (end < 2) throw new SnapshotCodecError('stored snapshot is truncated');
  if (data[0] !== CODEC_VERSION) throw new SnapshotCodecError(`stored snapshot has unknown format version ${data[0]}`);
  pos = 2;
  for (let i = 0; i < HEADER_VARINTS; i++) varint();
  const reservedPortsLength = varint(); // (read first: `pos += varint()` would add to the old pos)
  pos += reservedPortsLength;
  const n = varint();
  for (let k = 0; k < n; k++) {
    const tupleNo = varint();
    const used = varint();
    const timeWait = varint();
    const reclaimable = varint();
    const flags = varint();
    for (let i = 0; i < scanStates.length; i++) scanStates[i] = flags & (1 << i) ? varint() : 0;
    let pressure: number;
    if (flags & EXPLICIT_PRESSURE) {
      if (pos + 8 > end) throw new SnapshotCodecError('stored snapshot is truncated');
      pressure = data.readDoubleBE(pos);
      pos += 8;
    } else pressure = derivedPressure(used, reclaimable, usable);
    sink(tupleNo, used, timeWait, reclaimable, pressure, scanStates);
  }
  if (pos !== end) throw new SnapshotCodecError('stored snapshot has trailing bytes');
}

/** The listed tuples of a stored snapshot, by dictionary number (for history, which aggregates them). */
export function decodeTuples(data: Buffer, usable: number): EncodedTuple[] {
  const r = new Reader(data);
  readHeader(r);
  return readTuples(r, usable);
}

/** The report as the agent sent it; `tupleOf` resolves the host's dictionary numbers. */
export function decodeReport(data: Buffer, columns: SnapshotColumns, tupleOf: (tupleNo: number) => TupleKey): PortReport {
  const r = new Reader(data);
  const h = readHeader(r);
  const capacity = columns.usable + h.bindOwned;
  const tuples: TupleUsage[] = readTuples(r, columns.usable).map((t) => {
    const key = tupleOf(t.tupleNo);
    return {
      protocol: key.protocol,
      localAddress: key.localAddress,
      remoteAddress: key.remoteAddress,
      remotePort: key.remotePort,
      used: t.used,
      timeWait: t.timeWait,
      reclaimable: t.reclaimable,
      pressure: t.pressure,
      states: t.states,
    };
  });
  return {
    source: h.source,
    range: h.range,
    reservedPorts: h.reservedPorts,
    reservedInRange: h.reservedInRange,
    capacity,
    bindOwned: h.bindOwned,
    usable: columns.usable,
    hostPortsInUse: columns.hostPortsInUse,
    pressure: columns.pressure,
    sysctls: h.sysctls,
    tuples,
    tupleCount: h.tupleCount,
    // the UDP pool's capacity is the report's; its pressure is derived as before this layout
    udp: { used: h.udpUsed, capacity, pressure: capacity > 0 ? Math.min(1, h.udpUsed / capacity) : 0 },
  };
}

/**
 * A host's tuple dictionary as one API instance knows it: numbers are assigned by the instance
 * writing the host's snapshots and stored in the same transaction; a failed write discards the
 * instance's copy (it is reloaded from the database), so a number never refers to an unsaved tuple.
 */
export class TupleDictionary {
  /**
   * remote port → remote address → local address → number (the protocol is always `tcp`: the
   * protocol's schema takes nothing else, and TupleKey says so). Nested maps rather than one
   * map of joined strings: ingest looks up every listed tuple of every snapshot (150,000 a second
   * at 3,000 snapshots/s), and building a key string per lookup was most of the encoding's cost.
   */
  private readonly byKey = new Map<number, Map<string, Map<string, number>>>();
  private readonly byNo = new Map<number, TupleKey>();
  private next = 0;

  private locals(key: TupleKey, create: boolean): Map<string, number> | undefined {
    let remotes = this.byKey.get(key.remotePort);
    if (!remotes) {
      if (!create) return undefined;
      this.byKey.set(key.remotePort, (remotes = new Map()));
    }
    let locals = remotes.get(key.remoteAddress);
    if (!locals) {
      if (!create) return undefined;
      remotes.set(key.remoteAddress, (locals = new Map()));
    }
    return locals;
  }

  add(tupleNo: number, key: TupleKey): void {
    this.locals(key, true)!.set(key.localAddress, tupleNo);
    this.byNo.set(tupleNo, key);
    if (tupleNo >= this.next) this.next = tupleNo + 1;
  }

  /** The tuple's number, assigning the next free one (reported through `added`) for a new tuple. */
  numberOf(key: TupleKey, added: (tupleNo: number, key: TupleKey) => void): number {
    const known = this.locals(key, false)?.get(key.localAddress);
    if (known !== undefined) return known;
    const tupleNo = this.next;
    const copy: TupleKey = {
      protocol: key.protocol,
      localAddress: key.localAddress,
      remoteAddress: key.remoteAddress,
      remotePort: key.remotePort,
    };
    this.add(tupleNo, copy);
    added(tupleNo, copy);
    return tupleNo;
  }

  tupleOf(tupleNo: number): TupleKey {
    const key = this.byNo.get(tupleNo);
    if (key === undefined) throw new SnapshotCodecError(`tuple number ${tupleNo} is not in the host's dictionary`);
    return key;
  }

  get size(): number {
    return this.byNo.size;
  }
}
