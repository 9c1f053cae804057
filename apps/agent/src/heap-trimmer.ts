/**
 * Grown this much since the last full collection, the heap (V8's objects and the array buffers
 * they hold) gets one after the snapshot.
 */
export const TRIM_AFTER_GROWTH_BYTES = 2 * 1024 * 1024;

export interface HeapTrimmerOptions {
  /** V8's `gc`, exposed by the agent's `--expose-gc` (node-flags.ts); without it the trimmer does nothing. */
  gc?: (() => void) | undefined;
  /** Bytes in use now: V8's heap and array buffers. */
  inUse?: () => number;
  growthBytes?: number;
}

/**
 * Keeps the long-lived agent's memory from creeping between V8's own full collections. Each
 * snapshot leaves some garbage in the old generation (objects that outlived two scavenges while
 * the `ss` output was parsed and the report built), and V8 lets the old generation grow a long
 * way before it collects it: on bench:agent's 64,000-socket namespace at one snapshot a second
 * the agent's RSS rose from 58 to 67 MB and peaked at 71 MB within 150 s. A full collection after
 * a snapshot, once the heap has grown by TRIM_AFTER_GROWTH_BYTES, held the peak at 59 MB there,
 * for 7-15 ms more CPU per snapshot on average (docs/agent-memory.md has the runs).
 */
export function heapTrimmer(options: HeapTrimmerOptions = {}): () => void {
  const gc = 'gc' in options ? options.gc : (globalThis as { gc?: () => void }).gc;
  const inUse =
    options.inUse ??
    (() => {
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    });
  const growth = options.growthBytes ?? TRIM_AFTER_GROWTH_BYTES;
  let base = -1;
  return () => {
    if (gc === undefined) return;
    const now = inUse();
    if (base < 0 || now < base) {
      base = now; // the first snapshot, or V8 collected on its own meanwhile
      return;
    }
    if (now - base < growth) return;
    gc();
    base = inUse();
  };
}
