import { AddressCache } from './address-cache.ts';
import { DomainError, excerpt } from './domain-error.ts';
import { ipv4FromProcHex, ipv6FromProcHex, parseHex } from './ip-address.ts';
import { SocketColumns } from './socket-columns.ts';
import type { PortBounds } from './socket-record.ts';
import { TCP_STATE_BY_CODE } from './tcp-state.ts';

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
 * Parses /proc/net/{tcp,tcp6,udp,udp6} text (whole files or chunks cut at line ends; header lines
 * are skipped). Fields sit at fixed offsets from the colon after the slot number (net/ipv4/tcp_ipv4.c
 * get_tcp4_sock, net/ipv6/tcp_ipv6.c get_tcp6_sock, udp4_format_sock), so a line is decoded without
 * splitting it. Throws DomainError MALFORMED_PROC_LINE on any line that does not fit the layout.
 */
export function parseProcNet(text: string, options: ProcNetParseOptions, into: SocketColumns = new SocketColumns()): SocketColumns {
  const addrLen = options.family === 4 ? 8 : 32;
  const littleEndian = options.littleEndian ?? true;
  const low = options.localPorts?.low ?? 0;
  const high = options.localPorts?.high ?? 65535;
  const decode = options.family === 4 ? ipv4FromProcHex : ipv6FromProcHex;
  const decodeRaw = (raw: string) => decode(raw, 0, littleEndian);
  const addresses = new AddressCache();
  // Offsets from the slot colon; see the layout in the function comment.
  const localPortAt = 3 + addrLen;
  const remoteAt = 8 + addrLen;
  const remotePortAt = 9 + 2 * addrLen;
  const stateAt = 14 + 2 * addrLen;
  const timerAt = 38 + 2 * addrLen;
  const minLength = timerAt + 8;

  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    const lineStart = start;
    start = end + 1;
    let first = lineStart;
    while (first < end && text.charCodeAt(first) === 32) first++;
    if (first === end) continue;
    // The header ("  sl  local_address ...") is the only line not starting with a slot number.
    if (text.charCodeAt(first) === 115 /* s */ && isHeader(text, first, end)) continue;
    const c = text.indexOf(':', first);
    if (c === -1 || c >= end || end - c < minLength) throw malformed(text, lineStart, end, 'line too short');
    if (text.charCodeAt(c + 2 + addrLen) !== 58 || text.charCodeAt(c + remoteAt + addrLen) !== 58) {
      throw malformed(text, lineStart, end, 'address fields not where expected');
    }
    const localPort = parseHex(text, c + localPortAt, 4);
    if (localPort < 0) throw malformed(text, lineStart, end, 'bad local port');
    if (localPort < low || localPort > high) continue;

    const stateCode = parseHex(text, c + stateAt, 2);
    const state = stateCode >= 0 ? TCP_STATE_BY_CODE[stateCode] : undefined;
    const localAddress = addresses.lookup(text, c + 2, c + 2 + addrLen, decodeRaw);
    const remoteAddress = addresses.lookup(text, c + remoteAt, c + remoteAt + addrLen, decodeRaw);
    const remotePort = parseHex(text, c + remotePortAt, 4);
    if (state === undefined || localAddress === null || remoteAddress === null || remotePort < 0) {
      throw malformed(text, lineStart, end, 'bad address, port or state');
    }
    let timeWaitSecondsLeft: number | null = null;
    if (stateCode === TIME_WAIT_CODE) {
      // "tr:tm->when": timer kind, then clock ticks (USER_HZ, 1/100 s) left, as printed by jiffies_delta_to_clock_t.
      const ticks = parseHexRun(text, c + timerAt, end);
      if (ticks < 0) throw malformed(text, lineStart, end, 'bad TIME_WAIT timer');
      timeWaitSecondsLeft = Math.floor(ticks / 100);
    }
    into.add(state, localAddress, localPort, remoteAddress, remotePort, timeWaitSecondsLeft);
  }
  return into;
}

function isHeader(text: string, start: number, end: number): boolean {
  const at = text.indexOf('local_address', start);
  return at !== -1 && at < end;
}

/** Hex digits from `offset` up to the next space or line end; -1 when there are none or a non-hex one. */
function parseHexRun(text: string, offset: number, end: number): number {
  let stop = offset;
  while (stop < end && text.charCodeAt(stop) !== 32) stop++;
  return stop === offset ? -1 : parseHex(text, offset, stop - offset);
}

function malformed(text: string, start: number, end: number, why: string): DomainError {
  return new DomainError('MALFORMED_PROC_LINE', `${why}: "${excerpt(text.slice(start, end))}"`);
}
