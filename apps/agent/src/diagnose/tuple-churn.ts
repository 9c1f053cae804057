import { TCP_STATE_INDEX, effectivePortMask, parsePortList, type SocketColumns } from '@portpressure/domain';
import type { PortReport, TupleChurn } from '@portpressure/protocol';

const TIME_WAIT_INDEX = TCP_STATE_INDEX.get('TIME_WAIT') ?? -1;
const LISTEN_INDEX = TCP_STATE_INDEX.get('LISTEN') ?? -1;
const ESTABLISHED_INDEX = TCP_STATE_INDEX.get('ESTABLISHED') ?? -1;
const CLOSE_WAIT_INDEX = TCP_STATE_INDEX.get('CLOSE_WAIT') ?? -1;
/** Flag of a TIME_WAIT code; the other 15 bits are the entry's expiry second, modulo 2^15. */
const TW_FLAG = 0x8000;
const EXPIRY_MASK = 0x7fff;
/** Snapshots of open-socket counts kept per tuple for the leak verdict. */
export const OPEN_HISTORY_LENGTH = 5;

/** A tuple as `report.tuples` names it. */
export interface TupleKey {
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
}

/** What the churn tracker knows about one tuple after a snapshot. */
export interface TupleObservation {
  churn: TupleChurn;
  /** ESTABLISHED + CLOSE_WAIT of this tuple in the last snapshots, oldest first (at most OPEN_HISTORY_LENGTH). */
  openHistory: number[];
  /** CLOSE_WAIT now: the peer closed and the application did not. */
  closeWait: number;
}

interface TupleState {
  /** Sorted codes of the previous snapshot: local port << 16 | state code (see codeOf). */
  codes: Uint32Array;
  size: number;
  openHistory: number[];
}

/**
 * Connection churn per tuple from two consecutive socket tables. Each client socket of a tuple is
 * identified by its local port (unique within a tuple) and coded with its state; a TIME_WAIT entry
 * also carries its expiry second, which stays the same from one snapshot to the next. Between two
 * snapshots a connection is new when its port was not there, or was in TIME_WAIT and now holds a
 * live socket or a TIME_WAIT entry expiring at another second (the port was recycled). A
 * connection opened and closed by the server within one interval on a port that was held by
 * another live connection before is missed, as is one opened and closed without leaving a
 * TIME_WAIT entry between two snapshots on a port no other connection had (the server closed
 * first): the rates are lower bounds, exact for clients that close first.
 *
 * Memory: four bytes per socket of the diagnosed tuples, kept from one snapshot to the next.
 */
export class ChurnTracker {
  private states = new Map<string, TupleState>();
  private previousAt: number | null = null;

  /** Observes `tuples` in `table` at `nowMs`; returns one observation per tuple, in order. */
  observe(table: SocketColumns, report: PortReport, tuples: readonly TupleKey[], nowMs: number): TupleObservation[] {
    const slots = tupleSlots(table, tuples);
    const effective = effectivePortMask(report.range, parsePortList(report.reservedPorts));
    const listening = new Uint8Array(65536);
    for (let i = 0; i < table.size; i++) {
      if (table.state[i] === LISTEN_INDEX) listening[table.localPort[i] ?? 0] = 1;
    }
    const counts = new Uint32Array(tuples.length);
    const slotOf = new Int32Array(table.size).fill(-1);
    for (let i = 0; i < table.size; i++) {
      const port = table.localPort[i] ?? 0;
      const peerPort = table.remotePort[i] ?? 0;
      if (effective[port] !== 1 || listening[port] === 1 || table.state[i] === LISTEN_INDEX || peerPort === 0) continue;
      const slot = slots.get(keyOf(table.localAddress[i] ?? 0, table.remoteAddress[i] ?? 0, peerPort));
      if (slot === undefined) continue;
      slotOf[i] = slot;
      counts[slot] = (counts[slot] ?? 0) + 1;
    }
    const current = Array.from(counts, (n) => ({ codes: new Uint32Array(n), size: 0, open: 0, closeWait: 0, timeWait: 0 }));
    const nowSecond = Math.floor(nowMs / 1000);
    for (let i = 0; i < table.size; i++) {
      const slot = slotOf[i] ?? -1;
      const into = current[slot];
      if (into === undefined) continue;
      const state = table.state[i] ?? 0;
      if (state === ESTABLISHED_INDEX || state === CLOSE_WAIT_INDEX) into.open++;
      if (state === CLOSE_WAIT_INDEX) into.closeWait++;
      if (state === TIME_WAIT_INDEX) into.timeWait++;
      into.codes[into.size++] = (((table.localPort[i] ?? 0) << 16) | codeOf(state, table.timeWaitSecondsLeft[i] ?? -1, nowSecond)) >>> 0;
    }

    const seconds = this.previousAt === null ? null : Math.max(0.001, (nowMs - this.previousAt) / 1000);
    const next = new Map<string, TupleState>();
    const observations = tuples.map((tuple, slot): TupleObservation => {
      const now = current[slot] ?? { codes: new Uint32Array(0), size: 0, open: 0, closeWait: 0, timeWait: 0 };
      now.codes.sort();
      const name = nameOf(tuple);
      const before = this.states.get(name);
      const openHistory = [...(before?.openHistory ?? []), now.open].slice(-OPEN_HISTORY_LENGTH);
      next.set(name, { codes: now.codes, size: now.size, openHistory });
      let newPerSecond: number | null = null;
      let timeWaitInflowPerSecond: number | null = null;
      if (seconds !== null) {
        const { fresh, inflow } = compare(before?.codes ?? new Uint32Array(0), before?.size ?? 0, now.codes, now.size);
        newPerSecond = fresh / seconds;
        timeWaitInflowPerSecond = inflow / seconds;
      }
      return {
        churn: { newPerSecond, timeWaitInflowPerSecond, timeWaitShare: now.size === 0 ? 0 : now.timeWait / now.size },
        openHistory,
        closeWait: now.closeWait,
      };
    });
    // Tuples no longer diagnosed are forgotten: their memory goes with them.
    this.states = next;
    this.previousAt = nowMs;
    return observations;
  }
}

function codeOf(state: number, secondsLeft: number, nowSecond: number): number {
  if (state !== TIME_WAIT_INDEX) return state + 1;
  return secondsLeft < 0 ? TW_FLAG : TW_FLAG | ((nowSecond + secondsLeft) & EXPIRY_MASK);
}

function isTimeWait(code: number): boolean {
  return (code & TW_FLAG) !== 0;
}

/** Same TIME_WAIT entry: expiry seconds one apart at most (whole seconds, read at different moments). */
function sameEntry(before: number, now: number): boolean {
  if ((before & EXPIRY_MASK) === 0 || (now & EXPIRY_MASK) === 0) return true;
  const d = Math.abs((before & EXPIRY_MASK) - (now & EXPIRY_MASK));
  return d <= 1 || d >= EXPIRY_MASK;
}

/** Walks both sorted code lists once. */
function compare(before: Uint32Array, beforeSize: number, now: Uint32Array, nowSize: number): { fresh: number; inflow: number } {
  let fresh = 0;
  let inflow = 0;
  let b = 0;
  for (let n = 0; n < nowSize; n++) {
    const code = now[n] ?? 0;
    const port = code >>> 16;
    while (b < beforeSize && (before[b] ?? 0) >>> 16 < port) b++;
    const state = code & 0xffff;
    const old = b < beforeSize && (before[b] ?? 0) >>> 16 === port ? (before[b] ?? 0) & 0xffff : -1;
    if (old === -1) {
      fresh++;
      if (isTimeWait(state)) inflow++;
    } else if (isTimeWait(old)) {
      if (!isTimeWait(state)) fresh++;
      else if (!sameEntry(old, state)) {
        fresh++;
        inflow++;
      }
    } else if (isTimeWait(state)) inflow++;
  }
  return { fresh, inflow };
}

/** Tuple keys as the table's address ids, like port accounting builds them. */
function tupleSlots(table: SocketColumns, tuples: readonly TupleKey[]): Map<number, number> {
  const ids = new Map<string, number>();
  table.addresses.forEach((address, id) => ids.set(address, id));
  const slots = new Map<number, number>();
  tuples.forEach((tuple, slot) => {
    const local = ids.get(tuple.localAddress);
    const remote = ids.get(tuple.remoteAddress);
    if (local !== undefined && remote !== undefined) slots.set(keyOf(local, remote, tuple.remotePort), slot);
  });
  return slots;
}

function keyOf(localId: number, remoteId: number, remotePort: number): number {
  return (localId * 2_097_152 + remoteId) * 65_536 + remotePort;
}

export function nameOf(tuple: TupleKey): string {
  return `${tuple.localAddress}|${tuple.remoteAddress}|${tuple.remotePort}`;
}
