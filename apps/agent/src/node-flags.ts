/**
 * V8 settings of the long-lived agent, baked into the executable (SEA `execArgv`), set by the
 * systemd unit and the image for the bundle, and used by `npm run bench:agent`, which checks the
 * RSS they give. A snapshot of a busy host allocates a few MB of short-lived objects; the default
 * young generation (16 MB semi-spaces) lets them pile up before each scavenge, which is most of
 * the gap between bare Node and the agent's resident size.
 */
export const AGENT_NODE_FLAGS: string[] = ['--max-semi-space-size=1'];
