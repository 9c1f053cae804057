// Checks of the wire's primitive values without zod, written out to accept exactly what the zod
// schemas of wire-primitives.ts accept: the ingest fast path (fast-snapshot.ts) and the agent's
// checks (agent-checks.ts) share them. agent-checks.spec.ts compares them with zod.

const DOT = 0x2e;
const COLON = 0x3a;
const ZERO = 0x30;

/** Unicode code points, as zod's string .max() counts them (a lone surrogate counts as one). */
export function codePointLength(s: string): number {
  const units = s.length;
  let count = units;
  for (let i = 0; i < units - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/** zod's ipv4 regex: four dot-separated decimals 0-255, each "0" or without a leading zero. */
export function isIPv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || s.charCodeAt(i) !== DOT) return false;
      i++;
    }
    const start = i;
    let value = 0;
    while (i < n) {
      const d = s.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) break;
      if (i - start === 3) return false;
      value = value * 10 + d;
      i++;
    }
    if (i === start || value > 255 || (i - start > 1 && s.charCodeAt(start) === ZERO)) return false;
  }
  return i === n;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * z.ipv6(): the WHATWG URL standard's IPv6 parser (https://url.spec.whatwg.org/#concept-ipv6-parser),
 * which is what `URL.canParse("http://[" + s + "]")` runs once zod has checked that s is non-empty
 * and holds only hex digits, ':' and '.' (any other character fails here too). Only success or
 * failure is computed, not the address.
 */
export function isIPv6(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  let pieceIndex = 0;
  let compress = -1;
  let p = 0;
  if (s.charCodeAt(0) === COLON) {
    if (n < 2 || s.charCodeAt(1) !== COLON) return false;
    p = 2;
    pieceIndex = 1;
    compress = 1;
  }
  while (p < n) {
    if (pieceIndex === 8) return false;
    if (s.charCodeAt(p) === COLON) {
      if (compress !== -1) return false;
      p++;
      pieceIndex++;
      compress = pieceIndex;
      continue;
    }
    let length = 0;
    while (length < 4 && p < n && isHexDigit(s.charCodeAt(p))) {
      p++;
      length++;
    }
    const c = p < n ? s.charCodeAt(p) : -1;
    if (c === DOT) {
      if (length === 0) return false;
      p -= length;
      if (pieceIndex > 6) return false;
      let numbersSeen = 0;
      while (p < n) {
        let piece = -1;
        if (numbersSeen > 0) {
          if (s.charCodeAt(p) === DOT && numbersSeen < 4) p++;
          else return false;
        }
        if (p >= n || !isDigit(s.charCodeAt(p))) return false;
        while (p < n && isDigit(s.charCodeAt(p))) {
          const d = s.charCodeAt(p) - ZERO;
          if (piece === -1) piece = d;
          else if (piece === 0) return false;
          else piece = piece * 10 + d;
          if (piece > 255) return false;
          p++;
        }
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return false;
      break;
    } else if (c === COLON) {
      p++;
      if (p >= n) return false;
    } else if (c !== -1) {
      return false;
    }
    pieceIndex++;
  }
  return compress !== -1 || pieceIndex === 8;
}

/** ipAddressSchema: z.union([z.ipv4(), z.ipv6()]). */
export function isIpAddress(value: unknown): boolean {
  return typeof value === 'string' && (isIPv4(value) || isIPv6(value));
}
