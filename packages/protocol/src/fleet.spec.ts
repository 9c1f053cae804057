import { describe, expect, it } from 'vitest';
import { decodeSparkline, encodeSparkline, SPARKLINE_ALPHABET } from './fleet.ts';

describe('sparkline encoding', () => {
  it('keeps every minute within one level (1/63) and marks gaps', () => {
    const values = [0, 0.015, 0.5, null, 0.666, 0.9, 1, null];
    const encoded = encodeSparkline(values);
    expect(encoded).toHaveLength(values.length);
    expect(encoded[3]).toBe('.');
    const decoded = decodeSparkline(encoded);
    values.forEach((v, i) => {
      if (v === null) expect(decoded[i]).toBeNull();
      else expect(Math.abs(decoded[i]! - v)).toBeLessThanOrEqual(0.5 / 63 + 1e-9);
    });
  });

  it('clamps values outside 0…1 and uses 64 distinct characters', () => {
    expect(encodeSparkline([-1, 2])).toBe(`${SPARKLINE_ALPHABET[0]}${SPARKLINE_ALPHABET[63]}`);
    expect(new Set(SPARKLINE_ALPHABET).size).toBe(64);
    expect(SPARKLINE_ALPHABET).not.toContain('.');
  });
});
