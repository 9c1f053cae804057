import { describe, expect, it } from 'vitest';
import { fullJitterBackoff } from './backoff.ts';

const policy = { baseMs: 500, capMs: 30_000 };

describe('fullJitterBackoff', () => {
  it('doubles the ceiling per retry up to the cap', () => {
    const top = () => 0.999_999;
    expect(fullJitterBackoff(0, policy, top)).toBe(499);
    expect(fullJitterBackoff(3, policy, top)).toBe(3_999);
    expect(fullJitterBackoff(20, policy, top)).toBe(29_999);
    expect(fullJitterBackoff(1_000, policy, top)).toBe(29_999);
  });

  it('draws over the whole interval, from zero (full jitter)', () => {
    expect(fullJitterBackoff(5, policy, () => 0)).toBe(0);
    expect(fullJitterBackoff(5, policy, () => 0.5)).toBe(8_000);
    const draws = Array.from({ length: 2_000 }, () => fullJitterBackoff(4, policy));
    expect(Math.min(...draws)).toBeLessThan(800);
    expect(Math.max(...draws)).toBeGreaterThan(7_200);
    expect(Math.max(...draws)).toBeLessThan(8_000);
  });

  it('stays in range whatever the random source or retry count says', () => {
    expect(fullJitterBackoff(2, policy, () => 7)).toBe(2_000);
    expect(fullJitterBackoff(2, policy, () => -1)).toBe(0);
    expect(fullJitterBackoff(-3, policy, () => 0.5)).toBe(250);
    expect(fullJitterBackoff(Number.NaN, policy, () => 0.5)).toBe(250);
  });
});
