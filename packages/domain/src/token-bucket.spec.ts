import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('allows a burst, then refuses until time refills it at the configured rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 20, () => now);
    for (let i = 0; i < 20; i++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 100; // 0.1 s at 10/s: one more frame
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than the burst, however long the connection was quiet', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    now += 3_600_000;
    let taken = 0;
    while (bucket.take()) taken += 1;
    expect(taken).toBe(5);
  });
});
