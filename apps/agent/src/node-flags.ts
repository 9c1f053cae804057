/**
 * V8 settings of the long-lived agent: baked into the executable (SEA `execArgv`), used by the
 * agent image's entry point, and by `npm run bench:agent`, which reports the RSS they give.
 *
 * - `--max-semi-space-size=1`: a snapshot allocates a few MB of short-lived objects; 1 MB
 *   semi-spaces scavenge them before they pile up.
 * - `--v8-pool-size=1`: one V8 worker thread instead of one per core, so fewer malloc arenas.
 * - `--expose-gc`: the `ss` reader frees parsed pipe chunks with a minor collection every 256 KiB
 *   (collect/chunk-releaser.ts); without it they all lived until the end of a snapshot.
 * - `--no-short-builtin-calls`: V8 otherwise maps its builtins a second time next to the code it
 *   generates, about 1 MB more resident with no measurable CPU difference here.
 *
 * What each option and each change measured, and the options left out (the optimizing compiler
 * off saves 4-6 MB but costs 2-4 times the CPU per snapshot), are in docs/agent-memory.md.
 */
export const AGENT_NODE_FLAGS: string[] = ['--max-semi-space-size=1', '--v8-pool-size=1', '--expose-gc', '--no-short-builtin-calls'];
