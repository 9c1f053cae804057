import type { TcpState } from '@portpressure/protocol';
import { DomainError, excerpt } from './domain-error.ts';
import { unmapIpv4 } from './ip-address.ts';
import type { PortBounds, SocketRecord } from './socket-record.ts';
import { TCP_STATE_BY_SS_NAME } from './tcp-state.ts';

export interface SsParseOptions {
  /**
   * The state of every line, for output of `ss ... state X`: with exactly one state in its filter
   * `ss` omits the State column. Lines that do carry a State column are read from it anyway.
   */
  state?: TcpState;
  /** Keep only sockets whose local port lies in these bounds (the kernel filter normally did this already). */
  localPorts?: PortBounds;
}

/**
 * Parses `ss -H -n` output for TCP or UDP (`-t`/`-u`, one protocol per call, no Netid column):
 * `[State] Recv-Q Send-Q Local:Port Peer:Port [timer:(...)]`. With `-o`, a TIME_WAIT line ends in
 * `timer:(timewait,59sec,0)`, which gives the entry's remaining time. Throws DomainError
 * MALFORMED_SS_LINE on a line that does not fit.
 */
export function parseSs(text: string, options: SsParseOptions = {}, into: SocketRecord[] = []): SocketRecord[] {
  const fixedState = options.state;
  const low = options.localPorts?.low ?? 0;
  const high = options.localPorts?.high ?? 65535;
  const tokens: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    const lineStart = start;
    start = end + 1;

    // Token boundaries as [start, end) pairs; at most 6 tokens matter.
    let count = 0;
    let i = lineStart;
    while (i < end && count < 6) {
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
    let state: TcpState | undefined = fixedState;
    // Recv-Q is a number; a line starting with anything else has the State column, whatever was asked.
    const firstChar = text.charCodeAt(tokens[0] ?? 0);
    if (state === undefined || firstChar < 48 || firstChar > 57) {
      state = TCP_STATE_BY_SS_NAME.get(text.slice(tokens[0], tokens[1]));
      if (state === undefined) throw malformed(text, lineStart, end, 'unknown state');
      field = 1;
    }
    // Skip Recv-Q and Send-Q.
    const localField = field + 2;
    if (count < localField + 2) throw malformed(text, lineStart, end, 'too few columns');
    const local = splitEndpoint(text, tokens[localField * 2] ?? 0, tokens[localField * 2 + 1] ?? 0);
    const remote = splitEndpoint(text, tokens[localField * 2 + 2] ?? 0, tokens[localField * 2 + 3] ?? 0);
    if (!local || !remote) throw malformed(text, lineStart, end, 'bad address:port');
    if (local.port < low || local.port > high) continue;

    let timeWaitSecondsLeft: number | null = null;
    if (state === 'TIME_WAIT') {
      const timerField = localField + 2;
      if (count > timerField) {
        const ms = parseSsTimer(text.slice(tokens[timerField * 2], tokens[timerField * 2 + 1]));
        if (ms === null) throw malformed(text, lineStart, end, 'bad timer');
        timeWaitSecondsLeft = Math.floor(ms / 1000);
      }
    }
    into.push({
      state,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      timeWaitSecondsLeft,
    });
  }
  return into;
}

interface Endpoint {
  address: string;
  port: number;
}

/** "127.0.0.1:40001", "[::1]:5000", "127.0.0.1%lo:40001", "*:5000", "0.0.0.0:*" → address and port (0 for "*"). */
function splitEndpoint(text: string, start: number, end: number): Endpoint | null {
  const colon = text.lastIndexOf(':', end - 1);
  if (colon < start || colon === end - 1) return null;
  let port = 0;
  if (!(colon + 2 === end && text.charCodeAt(colon + 1) === 42) /* "*" */) {
    for (let i = colon + 1; i < end; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      port = port * 10 + d;
    }
    if (port > 65535) return null;
  }
  let addrEnd = colon;
  const percent = text.indexOf('%', start);
  if (percent !== -1 && percent < addrEnd) addrEnd = percent;
  let addrStart = start;
  if (text.charCodeAt(addrStart) === 91 /* [ */) {
    addrStart++;
    if (text.charCodeAt(addrEnd - 1) === 93 /* ] */) addrEnd--;
  }
  if (addrEnd <= addrStart) return null;
  const raw = text.slice(addrStart, addrEnd);
  // A dual-stack wildcard is printed as "*"; /proc shows it as the IPv6 any address.
  const address = raw === '*' ? '::' : unmapIpv4(raw);
  return { address, port };
}

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
