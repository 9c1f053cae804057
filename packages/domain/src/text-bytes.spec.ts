import { describe, expect, it } from 'vitest';
import { AddressCache, asciiBytes, hexAt, latin1 } from './text-bytes.ts';

describe('byte helpers', () => {
  it('round-trips ASCII and reads hex digits', () => {
    const bytes = asciiBytes('x 0100007F:9C4A y');
    expect(latin1(bytes, 2, 15)).toBe('0100007F:9C4A');
    expect(hexAt(bytes, 11, 4)).toBe(0x9c4a);
    expect(hexAt(bytes, 0, 2)).toBe(-1);
  });

  it('decodes each distinct address once and answers repeats from the cache', () => {
    const decoded: string[] = [];
    const cache = new AddressCache((bytes, start, end) => {
      const text = latin1(bytes, start, end);
      decoded.push(text);
      return text.toUpperCase();
    }, 2);
    const line = asciiBytes('aa bb aa cc aa');
    expect(cache.lookup(line, 0, 2)).toBe('AA');
    expect(cache.lookup(line, 3, 5)).toBe('BB');
    expect(cache.lookup(line, 6, 8)).toBe('AA');
    expect(decoded).toEqual(['aa', 'bb']);
    // A third address evicts the oldest entry (round-robin), which is then decoded again.
    expect(cache.lookup(line, 9, 11)).toBe('CC');
    expect(cache.lookup(line, 12, 14)).toBe('AA');
    expect(decoded).toEqual(['aa', 'bb', 'cc', 'aa']);
  });

  it('passes on a decoder refusal as null without caching it', () => {
    const cache = new AddressCache(() => null);
    expect(cache.lookup(asciiBytes('zz'), 0, 2)).toBeNull();
  });
});
