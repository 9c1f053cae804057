/**
 * Node options the API process starts with (`npm start`, the Dockerfile, bench:ingest).
 *
 * `--max-semi-space-size=32` (MB) gives V8's young generation room for what a busy ingest
 * allocates between collections: every snapshot frame becomes a few hundred objects that live
 * until its batch commits. With the default (16 MB on 64-bit), many survive two scavenges, are
 * promoted and then cost full mark-and-sweep collections: bench:ingest measured ~1,200
 * snapshots/s with the default and ~1,370/s with 64 MB. 64 MB made single scavenges take up to
 * 60-225 ms while a backlog was live (--trace-gc), which showed in the p99 ack latency; 32 MB
 * keeps the throughput with shorter pauses. The young generation costs up to ~100 MB more memory.
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
