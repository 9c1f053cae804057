/** Value of one hex digit by char code, -1 for anything else. Lookup beats parseInt in hot loops. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[65 + c] = 10 + c;
  HEX_VALUE[97 + c] = 10 + c;
}

/** Parses `length` hex digits at `offset`; -1 when any is not a hex digit. */
function parseHex(text: string, offset: number, length: number): number {
  let value = 0;
  for (let i = offset; i < offset + length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? (HEX_VALUE[code] ?? -1) : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * Reads the 16 bytes (4 for IPv4) of an address printed by /proc/net as 32-bit words in host byte
 * order (`0100007F` is 127.0.0.1 on a little-endian machine). Returns null on a non-hex digit.
 */
function procHexBytes(text: string, offset: number, words: number, littleEndian: boolean): number[] | null {
  const bytes: number[] = new Array<number>(words * 4);
  for (let w = 0; w < words; w++) {
    for (let b = 0; b < 4; b++) {
      // In a little-endian word the first network-order byte is printed last.
      const at = offset + w * 8 + (littleEndian ? (3 - b) * 2 : b * 2);
      const value = parseHex(text, at, 2);
      if (value < 0) return null;
      bytes[w * 4 + b] = value;
    }
  }
  return bytes;
}

/** An IPv4 address from /proc/net/{tcp,udp} hex; null when malformed. */
export function ipv4FromProcHex(text: string, offset: number, littleEndian: boolean): string | null {
  const bytes = procHexBytes(text, offset, 1, littleEndian);
  return bytes ? `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}` : null;
}

/**
 * An IPv6 address from /proc/net/{tcp6,udp6} hex, formatted exactly as `ss` prints it (glibc
 * inet_ntop), with IPv4-mapped addresses written as plain IPv4 because they share the IPv4 port
 * table (docs/domain.md, rule 6). Null when malformed.
 */
export function ipv6FromProcHex(text: string, offset: number, littleEndian: boolean): string | null {
  const bytes = procHexBytes(text, offset, 4, littleEndian);
  if (!bytes) return null;
  if (isMappedPrefix(bytes)) return `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  return formatIpv6Bytes(bytes);
}

function isMappedPrefix(bytes: readonly number[]): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * Formats 16 bytes the way glibc's inet_ntop does (which is what `ss` prints): lower-case hex,
 * the longest run (first on ties) of two or more zero groups as `::`, and `::a.b.c.d` /
 * `::ffff:a.b.c.d` for IPv4-compatible and -mapped addresses. Matching it byte for byte is what
 * lets the /proc and netlink sources produce identical tuple keys.
 */
export function formatIpv6Bytes(bytes: readonly number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0));
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;

  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      return out;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** Writes an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as IPv4; returns anything else unchanged. */
export function unmapIpv4(address: string): string {
  if (address.length > 7 && address.charCodeAt(0) === 58 /* : */ && address.startsWith('::ffff:') && address.includes('.')) {
    return address.slice(7);
  }
  return address;
}

/**
 * Whether the kernel treats an address as loopback for `tcp_tw_reuse=2` (tcp_twsk_unique():
 * ipv4_is_loopback, i.e. 127/8, or ipv6_addr_loopback, i.e. ::1; mapped loopback arrives as IPv4).
 */
export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}
