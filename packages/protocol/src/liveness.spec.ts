import { describe, expect, it } from 'vitest';
import { isOffline, offlineAfterSeconds } from './liveness.ts';

describe('isOffline', () => {
  it('is offline when never seen, or silent for longer than three intervals; online at exactly the limit', () => {
    const after = offlineAfterSeconds(5) * 1000;
    expect(after).toBe(15_000);
    expect(isOffline(null, 1_000_000, after)).toBe(true);
    expect(isOffline(1_000_000 - 15_000, 1_000_000, after)).toBe(false);
    expect(isOffline(1_000_000 - 15_001, 1_000_000, after)).toBe(true);
    // A report stamped slightly ahead of the server clock is not offline.
    expect(isOffline(1_000_500, 1_000_000, after)).toBe(false);
  });
});
