/**
 * Node options the API process starts with (`npm start`, the Dockerfile, bench:ingest).
 *
 * `--max-semi-space-size=64` (MB) gives V8's young generation room for what a busy ingest
 * allocates between collections: every snapshot frame becomes a few hundred objects that live
 * until its batch commits. With the default (16 MB on 64-bit), many survive two scavenges, are
 * promoted and then cost full mark-and-sweep collections; bench:ingest measured ~1,200 snapshots/s
 * with the default and ~1,370/s with 64 MB, at about 150 MB more memory under that load.
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
