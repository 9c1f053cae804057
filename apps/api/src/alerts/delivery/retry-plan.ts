import { nextAttemptDelay, type DeliveryOutcome } from '../../notifications/http-sender.ts';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/** What the worker does after an attempt: done, another attempt after `delayMs`, or give up. */
export type AttemptPlan =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; delayMs: number; error: string }
  | { outcome: 'failed'; error: string };

/**
 * The delivery rule: network errors, timeouts, 5xx and 429 retry with exponential backoff
 * and full jitter, never sooner than the receiver's Retry-After; anything else fails at once, and
 * so does a retryable failure once `maxAttempts` attempts have been made.
 */
export function planAfterAttempt(
  outcome: DeliveryOutcome,
  attemptsMade: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): AttemptPlan {
  if (outcome.ok) return { outcome: 'delivered' };
  if (!outcome.retryable) return { outcome: 'failed', error: outcome.error };
  if (attemptsMade >= policy.maxAttempts) {
    return { outcome: 'failed', error: `${outcome.error} (gave up after ${attemptsMade} attempts)` };
  }
  const delayMs = nextAttemptDelay(
    attemptsMade,
    { baseMs: policy.baseMs, maxMs: policy.maxMs, ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }) },
    random,
  );
  return { outcome: 'retry', delayMs, error: outcome.error };
}
