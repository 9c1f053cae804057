/** A host is offline once it has missed three reporting intervals. */
export const OFFLINE_AFTER_INTERVALS = 3;

/** The silence after which a host counts as offline, for the API's reporting interval. */
export function offlineAfterSeconds(intervalSeconds: number): number {
  return OFFLINE_AFTER_INTERVALS * intervalSeconds;
}

/**
 * The one rule for "offline", used by the API (summaries, metrics) and the web (badges, counts):
 * never reported, or silent for longer than `offlineAfterMs` by the server's clock `nowMs`.
 */
export function isOffline(lastSeenMs: number | null, nowMs: number, offlineAfterMs: number): boolean {
  return lastSeenMs === null || nowMs - lastSeenMs > offlineAfterMs;
}
