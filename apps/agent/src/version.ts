import { RELEASE_VERSION } from '@portpressure/protocol/release';

/** Reported to the API in the hello frame and printed by `--version`; built into the bundle. */
export const AGENT_VERSION = RELEASE_VERSION;
