import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { nextAttemptDelay, sendHttp } from '../../src/notifications/http-sender.ts';

import type { DeliveryOutcome, OutgoingRequest } from '../../src/notifications/http-sender.ts';
import { buildChannelRequest } from '../../src/notifications/providers/index.ts';
import { aFiringNotification } from './support/notification-factory.ts';
import { LOOPBACK, closedLoopbackPort, useWebhookReceiver } from './support/webhook-receiver.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

// The part of a webhook URL that is the credential; it must never show up in an outcome.
const SECRET_PATH = '/services/T0SECRET/B0SECRET/tokenSECRET';

const receiver = useWebhookReceiver();

function slackRequest(url: string = receiver.url(SECRET_PATH)): OutgoingRequest {
  return buildChannelRequest({ type: 'slack', settings: { webhookUrl: url } }, aFiringNotification());
}

function expectFailure(outcome: DeliveryOutcome): Extract<DeliveryOutcome, { ok: false }> {
  if (outcome.ok) throw new Error(`expected a failed delivery, got HTTP ${outcome.status}`);
  expect(outcome.error).not.toContain('SECRET');
  return outcome;
}

describe('sendHttp against a failing receiver', () => {
  it('reports a 500 as retryable, without the response body or the webhook path', async () => {
    receiver.enqueue({ status: 500, body: 'internal error while posting' });
    const failure = expectFailure(await sendHttp(slackRequest(), { allow: LOOPBACK, timeoutMs: 5_000 }));
    expect(failure).toMatchObject({ retryable: true, status: 500 });
    expect(failure.error).toContain('HTTP 500');
    expect(failure.error).not.toContain('internal error while posting');
    expect(failure.error).toContain(`${receiver.origin}/***`);
    expect(receiver.requests).toHaveLength(1);
  });

  it('never shows the body, so a receiver echoing the webhook path cannot leak it', async () => {
    receiver.enqueue({ status: 502, body: `upstream failed for POST ${SECRET_PATH}` });
    const failure = expectFailure(await sendHttp(slackRequest(), { allow: LOOPBACK, timeoutMs: 5_000 }));
    expect(failure).toMatchObject({ retryable: true, status: 502 });
    expect(failure.error).not.toContain('upstream failed');
    expect(failure.error).not.toContain(SECRET_PATH);
  });

  it('reports a 429 as retryable and carries Retry-After seconds into the next delay', async () => {
    receiver.enqueue({ status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' });
    const failure = expectFailure(await sendHttp(slackRequest(), { allow: LOOPBACK, timeoutMs: 5_000 }));
    expect(failure).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7_000 });
    const delay = nextAttemptDelay(1, { baseMs: 100, maxMs: 1_000, retryAfterMs: failure.retryAfterMs }, () => 0.99);
    expect(delay).toBe(7_000);
  });

  it('understands Retry-After given as an HTTP-date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    receiver.enqueue({ status: 503, headers: { 'retry-after': at } });
    const failure = expectFailure(await sendHttp(slackRequest(), { allow: LOOPBACK, timeoutMs: 5_000 }));
    expect(failure).toMatchObject({ retryable: true, status: 503 });
    // HTTP-dates have one-second resolution, so allow for the truncation and the round trip.
    expect(failure.retryAfterMs).toBeGreaterThan(28_000);
    expect(failure.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it.each([400, 401, 403, 404, 410])('fails a %i at once without retry', async (status) => {
    receiver.enqueue({ status, body: 'invalid_payload' });
    const failure = expectFailure(await sendHttp(slackRequest(), { allow: LOOPBACK, timeoutMs: 5_000 }));
    expect(failure).toMatchObject({ retryable: false, status });
    expect(failure.error).toContain(`HTTP ${status}`);
    expect(failure.error).not.toContain('invalid_payload');
  });

  it('does not follow a redirect, so the payload never reaches a host nobody configured', async () => {
    receiver.enqueue({ status: 302, headers: { location: receiver.url('/elsewhere') } });
    const failure = expectFailure(await sendHttp(slackRequest(), { allow: LOOPBACK, timeoutMs: 5_000 }));
    expect(failure).toMatchObject({ retryable: false, status: 302 });
    expect(receiver.requests.map((r) => r.path)).toEqual([SECRET_PATH]);
  });

  it('gives up on a receiver that never answers after the timeout, as retryable', async () => {
    receiver.enqueue({ hang: true });
    const started = performance.now();
    const failure = expectFailure(await sendHttp(slackRequest(), { allow: LOOPBACK, timeoutMs: 300 }));
    const took = performance.now() - started;
    expect(failure.retryable).toBe(true);
    expect(failure.status).toBeUndefined();
    expect(failure.error).toContain('timed out after 300 ms');
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(3_000);
    expect(receiver.requests).toHaveLength(1);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const port = await closedLoopbackPort();
    const failure = expectFailure(
      await sendHttp(slackRequest(`http://127.0.0.1:${port}${SECRET_PATH}`), { allow: LOOPBACK, timeoutMs: 5_000 }),
    );
    expect(failure.retryable).toBe(true);
    expect(failure.status).toBeUndefined();
    expect(failure.error).toContain('connection refused (ECONNREFUSED)');
    expect(failure.error).toContain(`http://127.0.0.1:${port}/***`);
  });

  it('reports an attempt aborted by the caller as retryable', async () => {
    receiver.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = sendHttp(slackRequest(), { allow: LOOPBACK, timeoutMs: 5_000, signal: controller.signal });
    // Abort once the receiver holds the request, not after a guessed pause.
    await waitUntil('the receiver to hold the request', () => receiver.requests.length === 1);
    controller.abort();
    const failure = expectFailure(await pending);
    expect(failure.retryable).toBe(true);
    expect(failure.error).toContain('aborted');
  });

  it('refuses a non-http URL without sending anything', async () => {
    const failure = expectFailure(await sendHttp({ ...slackRequest(), url: 'file:///etc/passwd' }, { allow: LOOPBACK, timeoutMs: 1_000 }));
    expect(failure.retryable).toBe(false);
  });
});

describe('retrying until the receiver recovers', () => {
  it('delivers once after a 500, a timeout and a 429, waiting at least the Retry-After', async () => {
    receiver.enqueue({ status: 500 }, { hang: true }, { status: 429, headers: { 'retry-after': '1' } }, { status: 204 });
    const request = slackRequest();
    const outcomes: DeliveryOutcome[] = [];
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const outcome = await sendHttp(request, { allow: LOOPBACK, timeoutMs: 300 });
      outcomes.push(outcome);
      if (outcome.ok || !outcome.retryable) break;
      const delay = nextAttemptDelay(attempt, { baseMs: 20, maxMs: 200, retryAfterMs: outcome.retryAfterMs });
      waits.push(delay);
      await sleep(delay);
    }
    expect(outcomes.map((o) => (o.ok ? `ok ${o.status}` : `retry ${o.status ?? 'none'}`))).toEqual([
      'retry 500',
      'retry none',
      'retry 429',
      'ok 204',
    ]);
    expect(waits[2]).toBeGreaterThanOrEqual(1_000);
    // Every attempt reached the receiver and exactly one was accepted.
    expect(receiver.requests).toHaveLength(4);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
  });
});
