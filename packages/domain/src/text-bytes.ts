/**
 * Byte helpers for parsing kernel and `ss` output, which is ASCII. Parsing bytes straight from the
 * buffers a pipe or a file read hands over avoids decoding every chunk into a string and walking
 * it character by character; strings are made only for the few distinct addresses and for errors.
 */

/** Byte values of the ASCII characters the line parsers split on. */
export const NEWLINE = 10;
export const SPACE = 32;
export const COLON = 58;

/** ASCII text as bytes (what tests and callers with strings pass). */
export function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

/** bytes[start, end) as a string, one character per byte. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  // Chunks keep the argument list of fromCharCode short.
  for (let i = start; i < end; i += 4096) out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 4096)));
  return out;
}

/** Value of one hex digit by byte, -1 for anything else. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[65 + c] = 10 + c;
  HEX_VALUE[97 + c] = 10 + c;
}

/** Parses `length` hex digits at `offset`; -1 when any is not a hex digit. */
export function hexAt(bytes: Uint8Array, offset: number, length: number): number {
  let value = 0;
  for (let i = offset; i < offset + length; i++) {
    const digit = HEX_VALUE[bytes[i] ?? 0] ?? -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * Remembers the last few addresses decoded from bytes, keyed by their raw bytes. A socket table
 * repeats a handful of addresses thousands of times; answering from here avoids decoding and
 * allocating a string for each of them. Entries are replaced round-robin.
 */
export class AddressCache {
  private readonly raw: Uint8Array[];
  private readonly decoded: string[];
  private next = 0;

  constructor(
    private readonly decode: (bytes: Uint8Array, start: number, end: number) => string | null,
    private readonly size = 8,
  ) {
    this.raw = Array.from({ length: size }, () => new Uint8Array(0));
    this.decoded = new Array<string>(size).fill('');
  }

  /** The decoded address for bytes[start, end); null when the decoder says malformed. */
  lookup(bytes: Uint8Array, start: number, end: number): string | null {
    const length = end - start;
    for (let e = 0; e < this.size; e++) {
      const candidate = this.raw[e];
      if (candidate === undefined || candidate.length !== length || length === 0) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (candidate[i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.decoded[e] ?? null;
    }
    const value = this.decode(bytes, start, end);
    if (value === null) return null;
    this.raw[this.next] = copyOf(bytes, start, end);
    this.decoded[this.next] = value;
    this.next = (this.next + 1) % this.size;
    return value;
  }
}

/**
 * Feeds a line parser from chunks cut anywhere (pipe reads, file reads): complete lines are parsed
 * in place, straight from the chunk; only a line split across chunks is copied. The chunk may be
 * reused by the caller after `push` returns.
 */
export class LineFeeder {
  private carry: Uint8Array | null = null;

  constructor(private readonly parseLines: (bytes: Uint8Array, start: number, end: number) => void) {}

  push(input: Uint8Array): void {
    const chunk = plainBytes(input);
    let from = 0;
    if (this.carry !== null) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.carry = join(this.carry, chunk);
        return;
      }
      const line = join(this.carry, chunk.subarray(0, newline + 1));
      this.carry = null;
      this.parseLines(line, 0, line.length);
      from = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < from) {
      if (from < chunk.length) this.carry = copyOf(chunk, from, chunk.length);
      return;
    }
    this.parseLines(chunk, from, last + 1);
    if (last + 1 < chunk.length) this.carry = copyOf(chunk, last + 1, chunk.length);
  }

  /** Parses a last line that had no newline. */
  end(): void {
    if (this.carry !== null) {
      const line = this.carry;
      this.carry = null;
      this.parseLines(line, 0, line.length);
    }
  }
}

/**
 * A parser of line-oriented text that may arrive in chunks: `push` each chunk as it comes (the
 * buffer may be reused afterwards), then `end`; or `parseAll` for text at hand. One parser for the
 * whole input keeps its caches warm across chunks.
 */
export abstract class ChunkedLineParser {
  private readonly feeder = new LineFeeder((bytes, start, end) => this.parseLines(bytes, start, end));

  push(chunk: Uint8Array): void {
    this.feeder.push(chunk);
  }

  end(): void {
    this.feeder.end();
  }

  parseAll(input: string | Uint8Array): void {
    this.push(typeof input === 'string' ? asciiBytes(input) : input);
    this.end();
  }

  /** Parses the complete lines in bytes[start, end). */
  protected abstract parseLines(bytes: Uint8Array, start: number, end: number): void;
}

/**
 * The same memory as a plain Uint8Array. A Node Buffer overrides indexOf with a slower, more
 * general version (strings, encodings); the parsers call it for every line.
 */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A copy of bytes[start, end). Not `bytes.slice()`: on a Node Buffer (what pipes and reads hand
 * over) `slice` returns a view, which would change under us when the caller reuses its buffer.
 */
function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
