/**
 * Capped exponential backoff with full jitter: a uniform draw in [0, min(capMs, baseMs·2^retry)).
 * `retry` counts the retries already scheduled (0 for the first). Spreading the whole interval,
 * rather than a band near its top, keeps many clients failing together (agents after an API
 * restart, deliveries to a receiver that came back) from retrying in lockstep. The agent, the
 * API's outbox and the web's live channel all use it.
 */
export function fullJitterBackoff(retry: number, policy: { baseMs: number; capMs: number }, random: () => number = Math.random): number {
  const n = Number.isFinite(retry) ? Math.max(0, Math.floor(retry)) : 0;
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(n, 30));
  // A random source outside [0, 1) must not produce a negative delay or one past the cap.
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.floor(draw * ceiling);
}
