/**
 * V8 settings of the long-lived agent: baked into the executable (SEA `execArgv`), used by the
 * agent image's entry point, and by `npm run bench:agent`, which reports the RSS they give.
 *
 * Measured on the bench's 64,000-socket namespace (peak RSS of `run`): 71 MB with Node's
 * defaults, about 65 MB with these. A snapshot allocates a few MB of short-lived objects, and 1 MB
 * semi-spaces scavenge them before they pile up; one V8 worker thread instead of one per core
 * keeps fewer malloc arenas. Most of what remains is Node itself: about 40 MB of its binary is
 * resident before the agent runs a line (bare `node` peaks at ~40 MB), so 50 MB is out of reach
 * for any Node-based agent. `--lite-mode` would save another ~5 MB at the price of slower snapshot
 * parsing (no optimizing compiler), which the CPU target of the bench does not allow.
 */
export const AGENT_NODE_FLAGS: string[] = ['--max-semi-space-size=1', '--v8-pool-size=1', '--expose-gc', '--no-short-builtin-calls'];
