/**
 * Remembers the last few addresses decoded from a text, keyed by their raw characters. A socket
 * table repeats a handful of addresses thousands of times; answering from here avoids slicing,
 * decoding and allocating a string for each of them, which dominates parsing time and memory on
 * large tables. Entries are replaced round-robin.
 */
export class AddressCache {
  private readonly raw: string[];
  private readonly decoded: string[];
  private next = 0;

  constructor(private readonly size = 8) {
    this.raw = new Array<string>(size).fill('');
    this.decoded = new Array<string>(size).fill('');
  }

  /** The decoded address for text[start, end), from the cache or from `decode`; null when `decode` says malformed. */
  lookup(text: string, start: number, end: number, decode: (raw: string) => string | null): string | null {
    const length = end - start;
    for (let i = 0; i < this.size; i++) {
      const candidate = this.raw[i] ?? '';
      if (candidate.length === length && length > 0 && text.startsWith(candidate, start)) return this.decoded[i] ?? null;
    }
    const raw = text.slice(start, end);
    const value = decode(raw);
    if (value === null) return null;
    this.raw[this.next] = raw;
    this.decoded[this.next] = value;
    this.next = (this.next + 1) % this.size;
    return value;
  }
}
