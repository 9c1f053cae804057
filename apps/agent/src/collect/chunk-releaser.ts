/** Bytes of parsed pipe chunks between two young-generation collections. */
export const RELEASE_EVERY_BYTES = 256 * 1024;

type GcFunction = (options: { type: 'minor' }) => void;

/**
 * Keeps the memory of parsed `ss` output from piling up within a snapshot. Every chunk a pipe
 * delivers is a fresh buffer (Node allocates 64 KiB per read) that lives until V8 next collects
 * its young generation, and parsing allocates so little JavaScript that this happens rarely: on a
 * host with 30,000 sockets in the range a snapshot's chunks (about 1.7 MB of text) were all alive
 * at once, and malloc kept the peak. A minor collection every RELEASE_EVERY_BYTES of parsed
 * output frees them as it goes; it costs well under a millisecond, since nearly everything in
 * the young generation is dead by then.
 *
 * Uses V8's `gc` function, which the agent's node options expose (`--expose-gc`, see
 * node-flags.ts); without it (tests, a bundle started without the options) this does nothing.
 */
export function chunkReleaser(gc: GcFunction | undefined = (globalThis as { gc?: GcFunction }).gc): (bytes: number) => void {
  let pending = 0;
  return (bytes) => {
    if (gc === undefined) return;
    pending += bytes;
    if (pending < RELEASE_EVERY_BYTES) return;
    pending = 0;
    gc({ type: 'minor' });
  };
}
