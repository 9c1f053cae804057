import type { AlertDelivery } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_ID_HEADER } from '../../src/notifications/providers/webhook.ts';
import type { ReceivedRequest } from '../notifications/support/webhook-receiver.ts';
import { alertScenario, useAlertsSuite } from './support/alert-scenario.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

// Faults through the real worker: a loopback receiver that fails in scripted ways, the outbox in
// Postgres, and the delivery log read back over REST. Backoff bases are milliseconds here
// (FAST_ALERTS_ENV) so retries happen quickly; only outcomes and recorded schedules are asserted.

const idOf = (r: ReceivedRequest): unknown => r.headers[WEBHOOK_ID_HEADER];

describe('delivery faults through the outbox worker', () => {
  const { h, alerts, receiver, startAgain } = useAlertsSuite({ defaultRules: false });

  const deliveriesOf = async (channelId: string): Promise<AlertDelivery[]> =>
    (await alerts.deliveries(`?channelId=${channelId}`)).reverse();

  it('delivers each notification exactly once, in order, through a 500, a timeout and a 429 with Retry-After', async () => {
    const path = '/flaky';
    const s = await alertScenario(h, alerts, 'flaky-host', receiver.url(path));
    receiver.enqueue({ status: 500, body: 'boom' }, { hang: true }, { status: 429, headers: { 'retry-after': '1' } });

    await s.report(95);
    // The resolution is queued while the firing message is still being retried.
    // (attempts counts claims, and the retry follows within 50 ms: wait for "at least one, not yet
    // delivered" rather than for exactly one, which a busy machine can poll past.)
    await waitUntil('the first failed attempt', async () => {
      const first = (await deliveriesOf(s.channel.id))[0];
      return (first !== undefined && first.attempts >= 1 && first.status !== 'delivered') || undefined;
    });
    await s.report(40);

    const [firing, resolved] = await waitUntil('both delivered', async () => {
      const list = await deliveriesOf(s.channel.id);
      return list.length === 2 && list.every((d) => d.status === 'delivered') ? list : undefined;
    });
    const mine = receiver.requests.filter((r) => r.path === path);
    expect(mine.map(idOf)).toEqual([
      firing?.notificationId,
      firing?.notificationId,
      firing?.notificationId,
      firing?.notificationId,
      resolved?.notificationId,
    ]);
    expect(firing?.kind).toBe('firing');
    expect(resolved?.kind).toBe('resolved');

    expect(firing?.attemptLog.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ['retry', 500],
      ['retry', null],
      ['retry', 429],
      ['delivered', 200],
    ]);
    expect(firing?.attemptLog[1]?.error).toMatch(/timed out after 1000 ms/);
    const throttled = firing?.attemptLog[2];
    expect(throttled?.retryAfterMs).toBe(1000);
    // The schedule the worker recorded honours Retry-After (a stored plan, not a measured time).
    const attemptEnd = Date.parse(throttled?.startedAt ?? '') + (throttled?.durationMs ?? 0);
    expect(Date.parse(throttled?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(attemptEnd + 1000 - 2);
    expect(resolved?.attemptLog.map((a) => a.outcome)).toEqual(['delivered']);

    // Delivered is final: the worker never sends these again.
    await s.report(30);
    expect(await deliveriesOf(s.channel.id)).toHaveLength(2);
    s.agent.close();
  });

  it('does not retry a 400, and shows it as failed in the delivery log without the webhook path', async () => {
    const path = '/rejects/SECRETPATH';
    const s = await alertScenario(h, alerts, 'rejected-host', receiver.url(path));
    receiver.enqueue({ status: 400, body: 'invalid_payload' });
    await s.report(96);
    const [failed] = await waitUntil('the failed delivery', async () => {
      const list = await deliveriesOf(s.channel.id);
      return list[0]?.status === 'failed' ? list : undefined;
    });
    expect(failed?.attempts).toBe(1);
    expect(failed?.attemptLog).toEqual([expect.objectContaining({ outcome: 'failed', httpStatus: 400, nextAttemptAt: null })]);
    expect(failed?.lastError).toContain('HTTP 400');
    expect(failed?.lastError).not.toContain('invalid_payload'); // a receiver's body is never shown
    expect(failed?.lastError).not.toContain('SECRETPATH');
    expect(receiver.requests.filter((r) => r.path === path)).toHaveLength(1);
    expect((await alerts.deliveries('?status=failed')).map((d) => d.id)).toContain(failed?.id);
    s.agent.close();
  });

  it('delivers a notification that was pending when the API stopped, after the API starts again', async () => {
    const path = '/restart';
    const s = await alertScenario(h, alerts, 'restart-host', receiver.url(path));
    receiver.enqueue({ status: 503, headers: { 'retry-after': '2' } });
    await s.report(97);
    const [pending] = await waitUntil('a delivery waiting for its retry', async () => {
      const list = await deliveriesOf(s.channel.id);
      return list[0]?.attempts === 1 && list[0].status === 'pending' ? list : undefined;
    });
    s.agent.close();

    await h.api.close();
    expect(receiver.requests.filter((r) => r.path === path)).toHaveLength(1);
    await startAgain();

    const [delivered] = await waitUntil('delivery after the restart', async () => {
      const list = await deliveriesOf(s.channel.id);
      return list[0]?.status === 'delivered' ? list : undefined;
    });
    expect(delivered?.id).toBe(pending?.id);
    expect(delivered?.attemptLog.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ['retry', 503],
      ['delivered', 200],
    ]);
    const mine = receiver.requests.filter((r) => r.path === path);
    expect(mine.map(idOf)).toEqual([pending?.notificationId, pending?.notificationId]);
  });
});
