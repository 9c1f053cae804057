import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('grows exponentially with the attempt while staying under the cap', () => {
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
  });

  it('spreads reconnects with jitter, never below the base delay', () => {
    expect(backoffDelay(5, 500, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(5, 500, 30_000, () => 0.5)).toBe(8250);
  });
});
