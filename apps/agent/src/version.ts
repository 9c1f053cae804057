/** Reported to the API in the hello frame. */
export const AGENT_VERSION = '0.1.0';
