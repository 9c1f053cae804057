/**
 * V8 settings of the long-lived agent: baked into the executable (SEA `execArgv`), used by the
 * agent image's entry point, and by `npm run bench:agent`, which reports the RSS they give.
 *
 * - `--max-semi-space-size=1`: a snapshot allocates a few MB of short-lived objects; 1 MB
 *   semi-spaces scavenge them before they pile up.
 * - `--v8-pool-size=1`: one V8 worker thread instead of one per core, so fewer malloc arenas.
 * - `--expose-gc`: the `ss` reader frees parsed pipe chunks with a minor collection every 256 KiB
 *   (collect/chunk-releaser.ts); without it they all lived until the end of a snapshot.
 *   `run` also asks for a full collection after a snapshot once the heap has grown by 2 MiB
 *   (heap-trimmer.ts); without it the old generation grew for minutes between V8's own.
 * - `--no-short-builtin-calls`: V8 otherwise maps its builtins a second time next to the code it
 *   generates, about 1 MB more resident with no measurable CPU difference here.
 *
 * What each option and each change measured, and the options left out (the optimizing compiler
 * off saves 4-6 MB but costs 2-4 times the CPU per snapshot), are in docs/agent-memory.md.
 */
export const AGENT_NODE_FLAGS: string[] = ['--max-semi-space-size=1', '--v8-pool-size=1', '--expose-gc', '--no-short-builtin-calls'];

/**
 * Environment of the long-lived agent, for glibc rather than V8, so it must be set wherever the
 * agent is launched (glibc reads it once, at process start; JavaScript cannot call mallopt):
 * the systemd unit, the agent image's ENV, the Kubernetes DaemonSet, `npm start`'s local agent and
 * `npm run bench:agent`. test/deploy/agent-node-flags.test.ts checks every one of them.
 *
 * - `MALLOC_MMAP_THRESHOLD_=65536`: allocations of 64 KiB and more (the 64 KiB pipe chunks of `ss`
 *   output, V8's large backing stores) get their own mapping, returned to the kernel when freed,
 *   instead of growing the malloc heap, which glibc seldom gives back. It also turns off glibc's
 *   dynamic threshold, which otherwise rises after the first large free and sends later ones to
 *   the heap. Measured at 3.5 MB less peak RSS on 5 December but 0-0.7 MB (within noise) on
 *   6 December, with a possible CPU cost to confirm on a quiet machine (docs/agent-memory.md).
 */
export const AGENT_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '65536' };
