import { DomainError, excerpt } from './domain-error.ts';
import { ipv4FromProcHex, ipv6FromProcHex } from './ip-address.ts';
import { SocketColumns } from './socket-columns.ts';
import type { PortBounds } from './socket-record.ts';
import { TCP_STATE_BY_CODE } from './tcp-state.ts';
import { AddressCache, COLON, ChunkedLineParser, NEWLINE, SPACE, hexAt, latin1 } from './text-bytes.ts';

export interface ProcNetParseOptions {
  /** 4 for /proc/net/{tcp,udp}, 6 for /proc/net/{tcp6,udp6}. */
  family: 4 | 6;
  /** Keep only sockets whose local port lies in these bounds; the rest are skipped before any address is decoded. */
  localPorts?: PortBounds;
  /** Byte order of the machine that printed the text (the kernel prints addresses in host order). Default true. */
  littleEndian?: boolean;
}

const TIME_WAIT_CODE = 6;

/**
 * Parses /proc/net/{tcp,tcp6,udp,udp6} (header lines are skipped). Fields sit at fixed offsets
 * from the colon after the slot number (net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/tcp_ipv6.c
 * get_tcp6_sock, udp4_format_sock), so a line is decoded without splitting it. Throws DomainError
 * MALFORMED_PROC_LINE on any line that does not fit the layout.
 */
export function parseProcNet(
  input: string | Uint8Array,
  options: ProcNetParseOptions,
  into: SocketColumns = new SocketColumns(),
): SocketColumns {
  new ProcNetParser(options, into).parseAll(input);
  return into;
}

/** parseProcNet for a file read in chunks: `push` each read as it comes (the buffer may be reused), then `end`. */
export class ProcNetParser extends ChunkedLineParser {
  private readonly addresses: AddressCache;
  private readonly addrLen: number;
  private readonly low: number;
  private readonly high: number;

  constructor(
    options: ProcNetParseOptions,
    private readonly into: SocketColumns,
  ) {
    super();
    this.addrLen = options.family === 4 ? 8 : 32;
    this.low = options.localPorts?.low ?? 0;
    this.high = options.localPorts?.high ?? 65535;
    const littleEndian = options.littleEndian ?? true;
    const decode = options.family === 4 ? ipv4FromProcHex : ipv6FromProcHex;
    this.addresses = new AddressCache((raw, from, to) => decode(latin1(raw, from, to), 0, littleEndian));
  }

  protected parseLines(bytes: Uint8Array, from: number, to: number): void {
    const { addrLen, addresses, into, low, high } = this;
    // Offsets from the slot colon; see the layout in parseProcNet's comment.
    const localPortAt = 3 + addrLen;
    const remoteAt = 8 + addrLen;
    const remotePortAt = 9 + 2 * addrLen;
    const stateAt = 14 + 2 * addrLen;
    const timerAt = 38 + 2 * addrLen;
    const minLength = timerAt + 8;

    let start = from;
    while (start < to) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end === -1 || end > to) end = to;
      const lineStart = start;
      start = end + 1;
      let first = lineStart;
      while (first < end && bytes[first] === SPACE) first++;
      if (first === end) continue;
      // The header ("  sl  local_address ...") is the only line not starting with a slot number.
      if (bytes[first] === 115 /* s */) {
        if (latin1(bytes, first, end).includes('local_address')) continue;
        throw malformed(bytes, lineStart, end, 'not a socket line');
      }
      let c = first;
      while (c < end && bytes[c] !== COLON) c++;
      if (c >= end || end - c < minLength) throw malformed(bytes, lineStart, end, 'line too short');
      if (bytes[c + 2 + addrLen] !== COLON || bytes[c + remoteAt + addrLen] !== COLON) {
        throw malformed(bytes, lineStart, end, 'address fields not where expected');
      }
      const localPort = hexAt(bytes, c + localPortAt, 4);
      if (localPort < 0) throw malformed(bytes, lineStart, end, 'bad local port');
      if (localPort < low || localPort > high) continue;

      const stateCode = hexAt(bytes, c + stateAt, 2);
      const state = stateCode >= 0 ? TCP_STATE_BY_CODE[stateCode] : undefined;
      const localAddress = addresses.lookup(bytes, c + 2, c + 2 + addrLen);
      const remoteAddress = addresses.lookup(bytes, c + remoteAt, c + remoteAt + addrLen);
      const remotePort = hexAt(bytes, c + remotePortAt, 4);
      if (state === undefined || localAddress === null || remoteAddress === null || remotePort < 0) {
        throw malformed(bytes, lineStart, end, 'bad address, port or state');
      }
      let timeWaitSecondsLeft: number | null = null;
      if (stateCode === TIME_WAIT_CODE) {
        // "tr:tm->when": timer kind, then clock ticks (USER_HZ, 1/100 s) left, as printed by jiffies_delta_to_clock_t.
        let stop = c + timerAt;
        while (stop < end && bytes[stop] !== SPACE) stop++;
        const ticks = stop === c + timerAt ? -1 : hexAt(bytes, c + timerAt, stop - (c + timerAt));
        if (ticks < 0) throw malformed(bytes, lineStart, end, 'bad TIME_WAIT timer');
        timeWaitSecondsLeft = Math.floor(ticks / 100);
      }
      into.add(state, localAddress, localPort, remoteAddress, remotePort, timeWaitSecondsLeft);
    }
  }
}

function malformed(bytes: Uint8Array, start: number, end: number, why: string): DomainError {
  return new DomainError('MALFORMED_PROC_LINE', `${why}: "${excerpt(latin1(bytes, start, end))}"`);
}
