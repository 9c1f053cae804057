import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome } from '../../notifications/http-sender.ts';
import { planAfterAttempt } from './retry-plan.ts';

const policy = { baseMs: 1000, maxMs: 60_000, maxAttempts: 5 };
const fail = (overrides: Partial<Extract<DeliveryOutcome, { ok: false }>> = {}): DeliveryOutcome => ({
  ok: false,
  retryable: true,
  error: 'HTTP 503 from https://hooks.example/***',
  durationMs: 12,
  ...overrides,
});

describe('planAfterAttempt', () => {
  it('is done after a 2xx', () => {
    expect(planAfterAttempt({ ok: true, status: 200, durationMs: 5 }, 1, policy)).toEqual({ outcome: 'delivered' });
  });

  it('fails a permanent error at once, whatever the attempt', () => {
    expect(planAfterAttempt(fail({ retryable: false, status: 400, error: 'HTTP 400' }), 1, policy)).toEqual({
      outcome: 'failed',
      error: 'HTTP 400',
    });
  });

  it('retries with exponential backoff and full jitter', () => {
    // random 0.999…: just under the ceiling base·2^(n−1).
    const plan = planAfterAttempt(fail(), 3, policy, () => 0.9999);
    expect(plan).toMatchObject({ outcome: 'retry' });
    expect(plan.outcome === 'retry' && plan.delayMs).toBe(3999);
    expect(planAfterAttempt(fail(), 3, policy, () => 0)).toMatchObject({ outcome: 'retry', delayMs: 0 });
  });

  it('never retries sooner than Retry-After', () => {
    expect(planAfterAttempt(fail({ status: 429, retryAfterMs: 30_000 }), 1, policy, () => 0.5)).toMatchObject({
      outcome: 'retry',
      delayMs: 30_000,
    });
  });

  it('gives up on a retryable failure after the last allowed attempt', () => {
    const plan = planAfterAttempt(fail(), 5, policy);
    expect(plan.outcome).toBe('failed');
    expect(plan.outcome === 'failed' && plan.error).toMatch(/gave up after 5 attempts/);
  });
});
