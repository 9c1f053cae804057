/**
 * Node options the API process starts with (`npm start`, the Dockerfile, bench:ingest).
 *
 * `--max-semi-space-size=128` (MB) gives V8's young generation room for what a busy ingest
 * allocates between collections: every snapshot frame becomes a few hundred objects that live
 * until its batch commits and its alert evaluation is over, 50-400 ms at 3,000 snapshots/s.
 * Objects that survive two scavenges are promoted and then cost full mark-and-sweep collections.
 * bench:ingest on 6 December (2 cores, 3,075 snapshots/s, --trace-gc):
 * - 32 MB: a scavenge every 160 ms, 36-39 full collections a minute, API 285-310 µs of CPU per
 *   snapshot, p99 ack 307-413 ms;
 * - 64 MB: 37 full collections, 284 µs, p99 340 ms (the scavenges still come before most
 *   snapshots are done with);
 * - 128 MB: a scavenge every 500 ms, 5-15 full collections, 252-254 µs, p99 186-278 ms (with
 *   --trace-gc); without it, three runs: 218-225 µs, p99 151, 118 and 142 ms;
 * - 256 MB: no better than 128 (255 µs, p99 217 ms) with a larger heap.
 * The price is memory under load: V8 grows the young generation only while it is busy, and at
 * that rate the heap peaked at 410-530 MB against 230 MB with 32 MB. Single scavenges take up to
 * 100-140 ms then (45-65 ms at 32 MB), but a tenth as many full collections more than pay for it.
 * A light load pays some of it too: at 100 snapshots/s the heap reached 330 MB (144 MB with 32 MB)
 * and one scavenge took 112 ms, which made that run's p99 ack 37 ms instead of 12.5 ms.
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=128'];
