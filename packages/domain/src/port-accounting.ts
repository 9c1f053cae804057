import type { PortRange, PortReport, SocketSource, StateCounts, Sysctls, TupleUsage } from '@portpressure/protocol';
import { assertPortRange, countPortsInRange, effectivePortMask, formatPortList, parsePortList } from './port-list.ts';
import { SocketColumns } from './socket-columns.ts';
import type { SocketRecord } from './socket-record.ts';
import { TCP_STATE_INDEX, TCP_STATES_IN_ORDER } from './tcp-state.ts';
import { oldEnoughToReuse, reuseAllowed } from './time-wait.ts';

/** Same value as the protocol's MAX_TUPLES_PER_SNAPSHOT; repeated so the domain has no runtime dependency on zod. */
export const DEFAULT_MAX_TUPLES = 1000;

export interface PortAccountingInput {
  source: SocketSource;
  range: PortRange;
  /** `ip_local_reserved_ports` text, e.g. "8080,40000-40009". */
  reservedPorts: string;
  sysctls: Sysctls;
  /** TCP sockets (IPv4 and IPv6); sockets with local ports outside `range` may be present and are ignored. */
  tcp: SocketColumns | readonly SocketRecord[];
  /** UDP sockets (IPv4 and IPv6). */
  udp: SocketColumns | readonly SocketRecord[];
  /** How many tuples to list (worst first); `tupleCount` still counts all. Default 1000. */
  maxTuples?: number;
}

const TIME_WAIT_INDEX = TCP_STATE_INDEX.get('TIME_WAIT') ?? -1;
const LISTEN_INDEX = TCP_STATE_INDEX.get('LISTEN') ?? -1;

interface TupleAccumulator {
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
  used: number;
  reclaimable: number;
  reuseAllowed: boolean;
  states: Uint16Array;
}

interface RankedTuple {
  acc: TupleAccumulator;
  pressure: number;
}

/**
 * Port accounting for one network namespace, following docs/domain.md:
 * - capacity = high − low + 1 − reservedInRange; the effective range is the range minus reserved ports;
 * - bindOwned = effective-range ports held by LISTEN sockets (any address): connect() skips them for
 *   every destination, and non-LISTEN sockets on those ports are the listener's accepted (server
 *   side) sockets, so they are not tuple usage;
 * - per tuple (local address, remote address, remote port): used, timeWait, reclaimable, states and
 *   pressure = (used − reclaimable) / usable; the host's pressure is the worst tuple's;
 * - hostPortsInUse = distinct effective-range ports of any TCP socket (what bind(0) competes for);
 * - the UDP pool = distinct effective-range UDP ports against capacity (UDP ports are exclusive).
 */
export function buildPortReport(input: PortAccountingInput): PortReport {
  const { range, sysctls } = input;
  assertPortRange(range);
  const reserved = parsePortList(input.reservedPorts);
  const reservedInRange = countPortsInRange(reserved, range);
  const capacity = range.high - range.low + 1 - reservedInRange;
  const effective = effectivePortMask(range, reserved);

  const tcp = input.tcp instanceof SocketColumns ? input.tcp : SocketColumns.of(input.tcp);
  const udp = input.udp instanceof SocketColumns ? input.udp : SocketColumns.of(input.udp);
  const { localPort, remotePort, state, timeWaitSecondsLeft, localAddress, remoteAddress, addresses } = tcp;

  // Pass 1: listeners and the host-wide port set. Listeners must be known before any other socket
  // can be classified as client or server side.
  const listening = new Uint8Array(65536);
  const inUse = new Uint8Array(65536);
  let bindOwned = 0;
  let hostPortsInUse = 0;
  for (let i = 0; i < tcp.size; i++) {
    const port = localPort[i] ?? 0;
    if (effective[port] !== 1) continue;
    if (inUse[port] === 0) {
      inUse[port] = 1;
      hostPortsInUse++;
    }
    if (state[i] === LISTEN_INDEX && listening[port] === 0) {
      listening[port] = 1;
      bindOwned++;
    }
  }
  const usable = capacity - bindOwned;

  // Pass 2: client-side sockets grouped by tuple, keyed by one number built from the two address
  // ids and the remote port (ids stay far below 2^21, so the key is an exact integer).
  const tuples = new Map<number, TupleAccumulator>();
  const all: TupleAccumulator[] = [];
  for (let i = 0; i < tcp.size; i++) {
    const port = localPort[i] ?? 0;
    const stateIndex = state[i] ?? 0;
    const peerPort = remotePort[i] ?? 0;
    if (effective[port] !== 1 || listening[port] === 1 || stateIndex === LISTEN_INDEX || peerPort === 0) continue;
    const localId = localAddress[i] ?? 0;
    const remoteId = remoteAddress[i] ?? 0;
    const key = (localId * 2_097_152 + remoteId) * 65_536 + peerPort;
    let acc = tuples.get(key);
    if (acc === undefined) {
      const local = addresses[localId] ?? '';
      const remote = addresses[remoteId] ?? '';
      acc = {
        localAddress: local,
        remoteAddress: remote,
        remotePort: peerPort,
        used: 0,
        reclaimable: 0,
        reuseAllowed: reuseAllowed(local, remote, sysctls),
        states: new Uint16Array(TCP_STATES_IN_ORDER.length),
      };
      tuples.set(key, acc);
      all.push(acc);
    }
    acc.used++;
    acc.states[stateIndex] = (acc.states[stateIndex] ?? 0) + 1;
    if (stateIndex === TIME_WAIT_INDEX && acc.reuseAllowed) {
      const left = timeWaitSecondsLeft[i] ?? -1;
      if (oldEnoughToReuse(left < 0 ? null : left, sysctls)) acc.reclaimable++;
    }
  }
  const tupleCount = all.length;

  const ranked: RankedTuple[] = [];
  for (const acc of all) ranked.push({ acc, pressure: tuplePressure(acc.used - acc.reclaimable, usable) });
  ranked.sort(compareTuples);
  const maxTuples = Math.max(0, input.maxTuples ?? DEFAULT_MAX_TUPLES);
  const listed = ranked.slice(0, maxTuples).map((t) => toTupleUsage(t));

  const udpPorts = new Uint8Array(65536);
  let udpUsed = 0;
  for (let i = 0; i < udp.size; i++) {
    const port = udp.localPort[i] ?? 0;
    if (effective[port] === 1 && udpPorts[port] === 0) {
      udpPorts[port] = 1;
      udpUsed++;
    }
  }

  return {
    source: input.source,
    range: { low: range.low, high: range.high },
    reservedPorts: formatPortList(reserved),
    reservedInRange,
    capacity,
    bindOwned,
    usable,
    hostPortsInUse,
    pressure: ranked[0]?.pressure ?? 0,
    sysctls: { ...sysctls },
    tuples: listed,
    tupleCount,
    udp: { used: udpUsed, capacity, pressure: tuplePressure(udpUsed, capacity) },
  };
}

/**
 * Share of the pool a new connect() can no longer pick, capped at 1 (a listener opened after the
 * connections, or ports taken by bind() before connect(), can push `used` past `usable`). With no
 * usable port at all every connect() fails, so the pressure is 1.
 */
export function tuplePressure(blocked: number, usable: number): number {
  if (usable <= 0) return 1;
  return Math.min(1, Math.max(0, blocked / usable));
}

function compareTuples(a: RankedTuple, b: RankedTuple): number {
  return (
    b.pressure - a.pressure ||
    b.acc.used - a.acc.used ||
    compareText(a.acc.remoteAddress, b.acc.remoteAddress) ||
    a.acc.remotePort - b.acc.remotePort ||
    compareText(a.acc.localAddress, b.acc.localAddress)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toTupleUsage({ acc, pressure }: RankedTuple): TupleUsage {
  const states: StateCounts = {};
  TCP_STATES_IN_ORDER.forEach((state, i) => {
    const n = acc.states[i] ?? 0;
    if (n > 0) states[state] = n;
  });
  return {
    protocol: 'tcp',
    localAddress: acc.localAddress,
    remoteAddress: acc.remoteAddress,
    remotePort: acc.remotePort,
    used: acc.used,
    timeWait: acc.states[TIME_WAIT_INDEX] ?? 0,
    reclaimable: acc.reclaimable,
    pressure,
    states,
  };
}
