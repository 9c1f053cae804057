import { describe, expect, it } from 'vitest';
import { heapTrimmer } from './heap-trimmer.ts';

describe('heapTrimmer', () => {
  it('collects once the heap has grown by the threshold since the last collection, measured again after it', () => {
    let used = 10;
    let collections = 0;
    const trim = heapTrimmer({
      gc: () => {
        collections++;
        used = 11; // what survives
      },
      inUse: () => used,
      growthBytes: 5,
    });
    trim(); // the base: 10
    used = 14;
    trim();
    expect(collections).toBe(0);
    used = 15;
    trim();
    expect(collections).toBe(1);
    used = 15; // 4 over the 11 left by the collection
    trim();
    expect(collections).toBe(1);
    used = 16;
    trim();
    expect(collections).toBe(2);
  });

  it('takes a lower reading as the new base (V8 collected on its own)', () => {
    let used = 20;
    let collections = 0;
    const trim = heapTrimmer({ gc: () => collections++, inUse: () => used, growthBytes: 5 });
    trim();
    used = 12;
    trim();
    used = 16;
    trim();
    expect(collections).toBe(0);
    used = 17;
    trim();
    expect(collections).toBe(1);
  });

  it('does nothing when gc is not exposed', () => {
    let reads = 0;
    const trim = heapTrimmer({
      gc: undefined,
      inUse: () => {
        reads++;
        return 1e9;
      },
    });
    trim();
    trim();
    expect(reads).toBe(0);
  });
});
