import type { TcpState } from '@portpressure/protocol';
import { DomainError, excerpt } from './domain-error.ts';
import { unmapIpv4 } from './ip-address.ts';
import { SocketColumns } from './socket-columns.ts';
import type { PortBounds } from './socket-record.ts';
import { TCP_STATE_BY_SS_NAME } from './tcp-state.ts';
import { AddressCache, COLON, ChunkedLineParser, NEWLINE, SPACE, asciiBytes, latin1 } from './text-bytes.ts';

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

const MAX_TOKENS = 7;

/**
 * Parses `ss -H -n` output: `[Netid] [State] Recv-Q Send-Q Local:Port Peer:Port [timer:(...)]`.
 * The Netid column ("tcp", "udp") appears when TCP and UDP were asked for together and decides
 * the list a line goes to. With `-o`, a TIME_WAIT line ends in `timer:(timewait,59sec,0)`, which
 * gives the entry's remaining time. Throws DomainError MALFORMED_SS_LINE on a line that does not fit.
 */
export function parseSs(
  input: string | Uint8Array,
  options: SsParseOptions = {},
  lists: SocketLists = { tcp: new SocketColumns(), udp: new SocketColumns() },
): SocketLists {
  new SsParser(options, lists).parseAll(input);
  return lists;
}

/**
 * parseSs for output arriving in chunks (a pipe): `push` each chunk as it comes, then `end`.
 * Keeping one parser for the whole output keeps its address cache warm across chunks.
 */
export class SsParser extends ChunkedLineParser {
  private readonly addresses = new AddressCache(decodeSsAddress);
  // Token boundaries as [start, end) pairs.
  private readonly tokens = new Int32Array(MAX_TOKENS * 2);
  private readonly fixedState: TcpState | undefined;
  private readonly defaultList: SocketColumns;
  private readonly low: number;
  private readonly high: number;

  constructor(
    options: SsParseOptions,
    private readonly lists: SocketLists,
  ) {
    super();
    this.fixedState = options.state;
    this.defaultList = options.protocol === 'udp' ? lists.udp : lists.tcp;
    this.low = options.localPorts?.low ?? 0;
    this.high = options.localPorts?.high ?? 65535;
  }

  protected parseLines(bytes: Uint8Array, from: number, to: number): void {
    const { tokens, addresses, lists, low, high } = this;
    let start = from;
    while (start < to) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end === -1 || end > to) end = to;
      const lineStart = start;
      start = end + 1;

      let count = 0;
      let i = lineStart;
      while (count < MAX_TOKENS) {
        while (i < end && bytes[i] === SPACE) i++;
        if (i >= end) break;
        // Tokens are short: a plain loop beats a call to indexOf.
        let tokenEnd = i + 1;
        while (tokenEnd < end && bytes[tokenEnd] !== SPACE) tokenEnd++;
        tokens[count * 2] = i;
        tokens[count * 2 + 1] = tokenEnd;
        count++;
        i = tokenEnd;
      }
      if (count === 0) continue;

      let field = 0;
      let list = this.defaultList;
      const first = tokens[0] ?? 0;
      if ((tokens[1] ?? 0) - first === 3 && bytes[first + 2] === 112 /* p */) {
        if (bytes[first] === 116 /* t */ && bytes[first + 1] === 99 /* c */) {
          list = lists.tcp;
          field = 1;
        } else if (bytes[first] === 117 /* u */ && bytes[first + 1] === 100 /* d */) {
          list = lists.udp;
          field = 1;
        }
      }
      let state: TcpState | undefined = this.fixedState;
      // Recv-Q is a number; a field starting with anything else is the State column, whatever was asked.
      const stateByte = bytes[tokens[field * 2] ?? 0] ?? 0;
      if (state === undefined || stateByte < 48 || stateByte > 57) {
        state = ssStateAt(bytes, tokens[field * 2] ?? 0, tokens[field * 2 + 1] ?? 0);
        if (state === undefined) throw malformed(bytes, lineStart, end, 'unknown state');
        field++;
      }
      // Skip Recv-Q and Send-Q.
      const localField = field + 2;
      if (count < localField + 2) throw malformed(bytes, lineStart, end, 'too few columns');
      const localStart = tokens[localField * 2] ?? 0;
      const localEnd = tokens[localField * 2 + 1] ?? 0;
      const remoteStart = tokens[localField * 2 + 2] ?? 0;
      const remoteEnd = tokens[localField * 2 + 3] ?? 0;
      const localColon = lastColon(bytes, localStart, localEnd);
      const localPort = portAfter(bytes, localColon, localEnd);
      if (localPort < 0) throw malformed(bytes, lineStart, end, 'bad address:port');
      if (localPort < low || localPort > high) continue;
      const remoteColon = lastColon(bytes, remoteStart, remoteEnd);
      const remotePort = portAfter(bytes, remoteColon, remoteEnd);
      const localAddress = addressBefore(bytes, localStart, localColon, addresses);
      const remoteAddress = addressBefore(bytes, remoteStart, remoteColon, addresses);
      if (remotePort < 0 || localAddress === null || remoteAddress === null) throw malformed(bytes, lineStart, end, 'bad address:port');

      let timeWaitSecondsLeft: number | null = null;
      if (state === 'TIME_WAIT') {
        const timerField = localField + 2;
        if (count > timerField) {
          const ms = timerAt(bytes, tokens[timerField * 2] ?? 0, tokens[timerField * 2 + 1] ?? 0);
          if (ms === null) throw malformed(bytes, lineStart, end, 'bad timer');
          timeWaitSecondsLeft = Math.floor(ms / 1000);
        }
      }
      list.add(state, localAddress, localPort, remoteAddress, remotePort, timeWaitSecondsLeft);
    }
  }
}

/** Index of the last ':' of an "address:port" token (ports are short, so scan from the end); -1 if none. */
function lastColon(bytes: Uint8Array, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) if (bytes[i] === COLON) return i;
  return -1;
}

/** The port after `colon`: 0 for "*", -1 when malformed. */
function portAfter(bytes: Uint8Array, colon: number, end: number): number {
  if (colon < 0 || colon === end - 1) return -1;
  if (colon + 2 === end && bytes[colon + 1] === 42 /* * */) return 0;
  let port = 0;
  for (let i = colon + 1; i < end; i++) {
    const d = (bytes[i] ?? 0) - 48;
    if (d < 0 || d > 9) return -1;
    port = port * 10 + d;
  }
  return port > 65535 ? -1 : port;
}

/**
 * The address before `colon` in "127.0.0.1:40001", "[::1]:5000", "127.0.0.1%lo:40001",
 * "[fe80::1]%eth0:22" or "*:5000", normalised like the /proc parser's; null when malformed.
 */
function addressBefore(bytes: Uint8Array, start: number, colon: number, cache: AddressCache): string | null {
  if (colon < 0) return null;
  let addrEnd = colon;
  // An interface suffix ("%lo") ends the address.
  for (let i = start; i < colon; i++) {
    if (bytes[i] === 37 /* % */) {
      addrEnd = i;
      break;
    }
  }
  let addrStart = start;
  if (bytes[addrStart] === 91 /* [ */) {
    addrStart++;
    if (bytes[addrEnd - 1] === 93 /* ] */) addrEnd--;
  }
  if (addrEnd <= addrStart) return null;
  return cache.lookup(bytes, addrStart, addrEnd);
}

/** A dual-stack wildcard is printed as "*"; /proc shows it as the IPv6 any address. */
function decodeSsAddress(bytes: Uint8Array, start: number, end: number): string {
  const raw = latin1(bytes, start, end);
  return raw === '*' ? '::' : unmapIpv4(raw);
}

const SS_NAMES = [...TCP_STATE_BY_SS_NAME.keys()].map(asciiBytes);
const SS_STATES = [...TCP_STATE_BY_SS_NAME.values()];

/** The state named by bytes[start, end) ("ESTAB", "TIME-WAIT", ...). */
function ssStateAt(bytes: Uint8Array, start: number, end: number): TcpState | undefined {
  const length = end - start;
  for (let n = 0; n < SS_NAMES.length; n++) {
    const name = SS_NAMES[n];
    if (name === undefined || name.length !== length) continue;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (name[i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return SS_STATES[n];
  }
  return undefined;
}

/**
 * Parses `timer:(timewait,59sec,0)`. The time is iproute2's print_ms_timer format: "1min",
 * "1min5sec", "59sec", "9.123ms" (9 s 123 ms), "123ms", or empty for zero. Returns milliseconds, or
 * null when the token is not a timer. Sub-second parts are dropped above 10 s by `ss` itself, which
 * is why accounting only uses whole seconds from either source.
 */
export function parseSsTimer(token: string): number | null {
  const bytes = asciiBytes(token);
  return timerAt(bytes, 0, bytes.length);
}

const TIMER_PREFIX = asciiBytes('timer:(');

/**
 * parseSsTimer on bytes[start, end), without making strings: one runs for every TIME_WAIT line,
 * and a table can hold tens of thousands of them.
 */
function timerAt(bytes: Uint8Array, start: number, end: number): number | null {
  if (end - start < TIMER_PREFIX.length + 4 || bytes[end - 1] !== 41 /* ) */) return null;
  for (let i = 0; i < TIMER_PREFIX.length; i++) if (bytes[start + i] !== TIMER_PREFIX[i]) return null;
  // The timer name ("timewait", "on", "keepalive") up to the first comma.
  let i = start + TIMER_PREFIX.length;
  while (i < end && bytes[i] !== 44 /* , */) {
    const c = bytes[i] ?? 0;
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return null;
    i++;
  }
  if (i === start + TIMER_PREFIX.length || i >= end) return null;
  i++;
  // The time, up to the next comma: numbers each followed by "min", "sec", "." (then ms) or "ms".
  let minutes = 0;
  let seconds = 0;
  let millis = 0;
  let stage = 0; // 0: min may follow, 1: sec or "." may follow, 2: only ms may follow, 3: done
  while (i < end && bytes[i] !== 44 /* , */) {
    let value = 0;
    const digitsStart = i;
    while (i < end && (bytes[i] ?? 0) >= 48 && (bytes[i] ?? 0) <= 57) value = value * 10 + (bytes[i++] ?? 0) - 48;
    if (i === digitsStart) return null;
    if (stage < 1 && matches(bytes, i, 'min')) {
      minutes = value;
      i += 3;
      stage = 1;
    } else if (stage < 2 && matches(bytes, i, 'sec')) {
      seconds = value;
      i += 3;
      stage = 3;
    } else if (stage < 2 && bytes[i] === 46 /* . */) {
      seconds = value;
      i += 1;
      stage = 2;
    } else if (stage < 3 && matches(bytes, i, 'ms')) {
      millis = value;
      i += 2;
      stage = 3;
    } else return null;
  }
  // Then ",<retransmits>)".
  if (bytes[i] !== 44 /* , */) return null;
  for (let j = i + 1; j < end - 1; j++) if ((bytes[j] ?? 0) < 48 || (bytes[j] ?? 0) > 57) return null;
  if (i + 1 >= end - 1) return null;
  return (minutes * 60 + seconds) * 1000 + millis;
}

function matches(bytes: Uint8Array, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

function malformed(bytes: Uint8Array, start: number, end: number, why: string): DomainError {
  return new DomainError('MALFORMED_SS_LINE', `ss output: ${why}: "${excerpt(latin1(bytes, start, end))}"`);
}
