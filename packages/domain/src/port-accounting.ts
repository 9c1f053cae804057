import type { PortRange, PortReport, SocketSource, StateCounts, Sysctls, TcpState, TupleUsage } from '@portpressure/protocol';
import { assertPortRange, countPortsInRange, effectivePortMask, formatPortList, parsePortList } from './port-list.ts';
import type { SocketRecord } from './socket-record.ts';
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
  tcp: readonly SocketRecord[];
  /** UDP sockets (IPv4 and IPv6). */
  udp: readonly SocketRecord[];
  /** How many tuples to list (worst first); `tupleCount` still counts all. Default 1000. */
  maxTuples?: number;
}

const STATE_ORDER: readonly TcpState[] = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
];
const STATE_INDEX = new Map<TcpState, number>(STATE_ORDER.map((s, i) => [s, i]));
const TIME_WAIT_INDEX = 5;

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
 * Port accounting for one network namespace, following DOMAIN.md:
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

  // Pass 1: listeners and the host-wide port set. Listeners must be known before any other socket
  // can be classified as client or server side.
  const listening = new Uint8Array(65536);
  const inUse = new Uint8Array(65536);
  let bindOwned = 0;
  let hostPortsInUse = 0;
  for (const s of input.tcp) {
    const port = s.localPort;
    if (effective[port] !== 1) continue;
    if (inUse[port] === 0) {
      inUse[port] = 1;
      hostPortsInUse++;
    }
    if (s.state === 'LISTEN' && listening[port] === 0) {
      listening[port] = 1;
      bindOwned++;
    }
  }
  const usable = capacity - bindOwned;

  // Pass 2: client-side sockets grouped by tuple.
  const tuples = new Map<string, TupleAccumulator>();
  for (const s of input.tcp) {
    const port = s.localPort;
    if (effective[port] !== 1 || listening[port] === 1 || s.state === 'LISTEN' || s.remotePort === 0) continue;
    const key = `${s.localAddress} ${s.remoteAddress} ${s.remotePort}`;
    let acc = tuples.get(key);
    if (acc === undefined) {
      acc = {
        localAddress: s.localAddress,
        remoteAddress: s.remoteAddress,
        remotePort: s.remotePort,
        used: 0,
        reclaimable: 0,
        reuseAllowed: reuseAllowed(s.localAddress, s.remoteAddress, sysctls),
        states: new Uint16Array(STATE_ORDER.length),
      };
      tuples.set(key, acc);
    }
    acc.used++;
    const index = STATE_INDEX.get(s.state) ?? 0;
    acc.states[index] = (acc.states[index] ?? 0) + 1;
    if (index === TIME_WAIT_INDEX && acc.reuseAllowed && oldEnoughToReuse(s.timeWaitSecondsLeft, sysctls)) acc.reclaimable++;
  }

  const ranked: RankedTuple[] = [];
  for (const acc of tuples.values()) ranked.push({ acc, pressure: tuplePressure(acc.used - acc.reclaimable, usable) });
  ranked.sort(compareTuples);
  const maxTuples = Math.max(0, input.maxTuples ?? DEFAULT_MAX_TUPLES);
  const listed = ranked.slice(0, maxTuples).map((t) => toTupleUsage(t));

  const udpPorts = new Uint8Array(65536);
  let udpUsed = 0;
  for (const s of input.udp) {
    const port = s.localPort;
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
    tupleCount: tuples.size,
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
  STATE_ORDER.forEach((state, i) => {
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
