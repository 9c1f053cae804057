import { describe, expect, it } from 'vitest';
import { heapTrimmer } from './heap-trimmer.ts';

/**
 * Runs the trimmer (threshold 5) over heap readings, one per snapshot; a collection leaves
 * `survives` in use (undefined: the reading stays). Returns the collections counted after each.
 */
function collectionsAfter(readings: number[], survives?: number): number[] {
  let used = 0;
  let collections = 0;
  const trim = heapTrimmer({
    gc: () => {
      collections++;
      if (survives !== undefined) used = survives;
    },
    inUse: () => used,
    growthBytes: 5,
  });
  return readings.map((reading) => {
    used = reading;
    trim();
    return collections;
  });
}

describe('heapTrimmer', () => {
  it('collects once the heap has grown by the threshold since the last collection, measured again after it', () => {
    // base 10; 15 is 5 over it; the collection leaves 11, so 15 is not enough again but 16 is
    expect(collectionsAfter([10, 14, 15, 15, 16], 11)).toEqual([0, 0, 1, 1, 2]);
  });

  it('takes a lower reading as the new base (V8 collected on its own)', () => {
    expect(collectionsAfter([20, 12, 16, 17])).toEqual([0, 0, 0, 1]);
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
