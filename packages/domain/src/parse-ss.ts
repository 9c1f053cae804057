import type { TcpState } from '@portpressure/protocol';
import { DomainError, excerpt } from './domain-error.ts';
import { AddressCache } from './address-cache.ts';
import { unmapIpv4 } from './ip-address.ts';
import { SocketColumns } from './socket-columns.ts';
import type { PortBounds } from './socket-record.ts';
import { TCP_STATE_BY_SS_NAME } from './tcp-state.ts';

export interface SsParseOptions {
  /**
   * The state of every line, for output of `ss ... state X`: with exactly one state in its filter
   * `ss` omits the State column. Lines that do carry a State column are read from it anyway.
   */
  state?: TcpState;
  /** Where lines without a Netid column go (output of `ss -t` or `ss -u` alone). Default tcp. */
  protocol?: 'tcp' | 'udp';
  /** Keep only sockets whose local port lies in these bounds (the kernel filter normally did this already). */
  localPorts?: PortBounds;
}

/** Parsed sockets by protocol. */
export interface SocketLists {
  tcp: SocketColumns;
  udp: SocketColumns;
}

/**
 * Parses `ss -H -n` output: `[Netid] [State] Recv-Q Send-Q Local:Port Peer:Port [timer:(...)]`.
 * The Netid column ("tcp", "udp") appears when TCP and UDP were asked for together and decides
 * the list a line goes to. With `-o`, a TIME_WAIT line ends in `timer:(timewait,59sec,0)`, which
 * gives the entry's remaining time. Throws DomainError MALFORMED_SS_LINE on a line that does not fit.
 */
export function parseSs(text: string, options: SsParseOptions = {}, lists: SocketLists = { tcp: new SocketColumns(), udp: new SocketColumns() }): SocketLists {
  const fixedState = options.state;
  const defaultList = options.protocol === 'udp' ? lists.udp : lists.tcp;
  const low = options.localPorts?.low ?? 0;
  const high = options.localPorts?.high ?? 65535;
  // Token boundaries as [start, end) pairs; at most 7 tokens matter.
  const tokens: number[] = new Array<number>(14).fill(0);
  const addresses = new AddressCache();
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    const lineStart = start;
    start = end + 1;

    let count = 0;
    let i = lineStart;
    while (i < end && count < 7) {
      while (i < end && text.charCodeAt(i) === 32) i++;
      if (i >= end) break;
      const tokenStart = i;
      while (i < end && text.charCodeAt(i) !== 32) i++;
      tokens[count * 2] = tokenStart;
      tokens[count * 2 + 1] = i;
      count++;
    }
    if (count === 0) continue;

    let field = 0;
    let list = defaultList;
    const first = tokens[0] ?? 0;
    if ((tokens[1] ?? 0) - first === 3 && text.startsWith('tcp', first)) {
      list = lists.tcp;
      field = 1;
    } else if ((tokens[1] ?? 0) - first === 3 && text.startsWith('udp', first)) {
      list = lists.udp;
      field = 1;
    }
    let state: TcpState | undefined = fixedState;
    // Recv-Q is a number; a field starting with anything else is the State column, whatever was asked.
    const stateChar = text.charCodeAt(tokens[field * 2] ?? 0);
    if (state === undefined || stateChar < 48 || stateChar > 57) {
      state = ssStateAt(text, tokens[field * 2] ?? 0, tokens[field * 2 + 1] ?? 0);
      if (state === undefined) throw malformed(text, lineStart, end, 'unknown state');
      field++;
    }
    // Skip Recv-Q and Send-Q.
    const localField = field + 2;
    if (count < localField + 2) throw malformed(text, lineStart, end, 'too few columns');
    const localStart = tokens[localField * 2] ?? 0;
    const localEnd = tokens[localField * 2 + 1] ?? 0;
    const remoteStart = tokens[localField * 2 + 2] ?? 0;
    const remoteEnd = tokens[localField * 2 + 3] ?? 0;
    const localPort = endpointPort(text, localStart, localEnd);
    if (localPort < 0) throw malformed(text, lineStart, end, 'bad address:port');
    if (localPort < low || localPort > high) continue;
    const remotePort = endpointPort(text, remoteStart, remoteEnd);
    const localAddress = endpointAddress(text, localStart, localEnd, addresses);
    const remoteAddress = endpointAddress(text, remoteStart, remoteEnd, addresses);
    if (remotePort < 0 || localAddress === null || remoteAddress === null) throw malformed(text, lineStart, end, 'bad address:port');

    let timeWaitSecondsLeft: number | null = null;
    if (state === 'TIME_WAIT') {
      const timerField = localField + 2;
      if (count > timerField) {
        const ms = parseSsTimer(text.slice(tokens[timerField * 2], tokens[timerField * 2 + 1]));
        if (ms === null) throw malformed(text, lineStart, end, 'bad timer');
        timeWaitSecondsLeft = Math.floor(ms / 1000);
      }
    }
    list.add(state, localAddress, localPort, remoteAddress, remotePort, timeWaitSecondsLeft);
  }
  return lists;
}

/** The port of "address:port" in text[start, end): 0 for "*", -1 when malformed. */
function endpointPort(text: string, start: number, end: number): number {
  const colon = text.lastIndexOf(':', end - 1);
  if (colon < start || colon === end - 1) return -1;
  if (colon + 2 === end && text.charCodeAt(colon + 1) === 42 /* * */) return 0;
  let port = 0;
  for (let i = colon + 1; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    port = port * 10 + d;
  }
  return port > 65535 ? -1 : port;
}

/**
 * The address of "127.0.0.1:40001", "[::1]:5000", "127.0.0.1%lo:40001", "[fe80::1]%eth0:22" or
 * "*:5000" in text[start, end), normalised like the /proc parser's; null when malformed.
 */
function endpointAddress(text: string, start: number, end: number, cache: AddressCache): string | null {
  const colon = text.lastIndexOf(':', end - 1);
  if (colon < start) return null;
  let addrEnd = colon;
  // An interface suffix ("%lo") ends the address. Searched within the token only: indexOf would
  // scan the rest of the text for every line.
  for (let i = start; i < colon; i++) {
    if (text.charCodeAt(i) === 37 /* % */) {
      addrEnd = i;
      break;
    }
  }
  let addrStart = start;
  if (text.charCodeAt(addrStart) === 91 /* [ */) {
    addrStart++;
    if (text.charCodeAt(addrEnd - 1) === 93 /* ] */) addrEnd--;
  }
  if (addrEnd <= addrStart) return null;
  return cache.lookup(text, addrStart, addrEnd, normaliseSsAddress);
}

/** A dual-stack wildcard is printed as "*"; /proc shows it as the IPv6 any address. */
function normaliseSsAddress(raw: string): string {
  return raw === '*' ? '::' : unmapIpv4(raw);
}

/** The state named by text[start, end) ("ESTAB", "TIME-WAIT", ...), without slicing the text. */
function ssStateAt(text: string, start: number, end: number): TcpState | undefined {
  const length = end - start;
  // Plain arrays: iterating the Map would allocate an entry per line.
  for (let i = 0; i < SS_NAMES.length; i++) {
    const name = SS_NAMES[i] ?? '';
    if (name.length === length && text.startsWith(name, start)) return SS_STATES[i];
  }
  return undefined;
}

const SS_NAMES = [...TCP_STATE_BY_SS_NAME.keys()];
const SS_STATES = [...TCP_STATE_BY_SS_NAME.values()];

/**
 * Parses `timer:(timewait,59sec,0)`. The time is iproute2's print_ms_timer format: "1min",
 * "1min5sec", "59sec", "9.123ms" (9 s 123 ms), "123ms", or empty for zero. Returns milliseconds, or
 * null when the token is not a timer. Sub-second parts are dropped above 10 s by `ss` itself, which
 * is why accounting only uses whole seconds from either source.
 */
export function parseSsTimer(token: string): number | null {
  const match = /^timer:\(\w+,((?:\d+min)?(?:\d+(?:sec|\.))?(?:\d+ms)?),\d+\)$/.exec(token);
  if (!match) return null;
  const time = match[1] ?? '';
  const parts = /^(?:(\d+)min)?(?:(\d+)(sec|\.))?(?:(\d+)ms)?$/.exec(time);
  if (!parts) return null;
  const minutes = Number(parts[1] ?? 0);
  const seconds = Number(parts[2] ?? 0);
  const millis = Number(parts[4] ?? 0);
  return (minutes * 60 + seconds) * 1000 + millis;
}

function malformed(text: string, start: number, end: number, why: string): DomainError {
  return new DomainError('MALFORMED_SS_LINE', `ss output: ${why}: "${excerpt(text.slice(start, end))}"`);
}
