import type { AlertDelivery } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { webhookPayloadSchema } from '../../src/notifications/providers/webhook.ts';
import { connectEnrolled, isAck } from '../support/api-harness.ts';
import { aHello, aReport, aSnapshot } from '../support/factories.ts';
import { alertScenario, evaluated, useAlertsSuite, WEBHOOK_SECRET } from './support/alert-scenario.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

// Incidents beyond firing and resolving: the offline timer, reminders, acknowledge, silence,
// rules switched off, and scopes. The timer runs every second here (FAST_ALERTS_ENV).

/** Long enough for the 1 s timer to have run at least twice. */
const TWO_TICKS_MS = 2500;

describe('incident lifecycle', () => {
  const { h, alerts, receiver } = useAlertsSuite({ defaultRules: false });

  const log = async (channelId: string): Promise<AlertDelivery[]> => (await alerts.deliveries(`?channelId=${channelId}`)).reverse();
  const kinds = async (channelId: string) => (await log(channelId)).map((d) => d.kind);

  it('fires when a host stops reporting, and resolves when it reports again', async () => {
    const channel = await alerts.createWebhookChannel('offline', receiver.url('/offline'), WEBHOOK_SECRET);
    const { agent, host } = await connectEnrolled(h.api.url, aHello('quiet-host'));
    await alerts.createRule({
      name: 'Host stopped reporting',
      kind: 'offline',
      severity: 'warning',
      scope: { hostId: host.hostId, labels: {} },
      channelIds: [channel.id],
      params: { afterSeconds: 300 },
    });
    agent.send(aSnapshot(1, aReport({ used: 10 })));
    await agent.waitFor(isAck(1));
    await evaluated(h, host.hostId, 1);
    expect(await alerts.incidents('firing')).toEqual([]);

    // Ten minutes of silence, without waiting ten minutes: the timer only reads last_seen_at.
    await h.db.query(`UPDATE hosts SET last_seen_at = now() - interval '10 minutes' WHERE id = $1`, [host.hostId]);
    const [firing] = await waitUntil('the offline notification', async () => {
      const list = await log(channel.id);
      return list[0]?.status === 'delivered' ? list : undefined;
    });
    expect(firing?.title).toBe('WARNING: Host stopped reporting on quiet-host');
    const sent = webhookPayloadSchema.parse(JSON.parse(receiver.requests.find((r) => r.path === '/offline')?.body ?? '{}'));
    expect(sent.notification).toMatchObject({ ruleKind: 'offline', kind: 'firing' });
    expect(sent.notification.tuple).toBeUndefined();
    expect(sent.text).toContain('quiet-host has stopped reporting.');

    agent.send(aSnapshot(2, aReport({ used: 10 })));
    await agent.waitFor(isAck(2));
    await waitUntil('the resolution', async () => ((await kinds(channel.id)).join() === 'firing,resolved' ? true : undefined));
    expect((await alerts.incidents('resolved')).find((i) => i.host.id === host.hostId)?.ruleKind).toBe('offline');
    agent.close();
  });

  it('reminds while firing until acknowledged, and still sends the resolution', async () => {
    const s = await alertScenario(h, alerts, 'nagging-host', receiver.url('/nag'), { repeatIntervalSeconds: 1 });
    await s.report(95);
    await waitUntil('two reminders', async () =>
      (await kinds(s.channel.id)).filter((k) => k === 'reminder').length >= 2 ? true : undefined,
    );
    const [incident] = (await alerts.incidents('firing')).filter((i) => i.host.id === s.hostId);
    expect(incident?.reminderCount).toBeGreaterThanOrEqual(2);
    const reminderIds = (await log(s.channel.id)).filter((d) => d.kind === 'reminder').map((d) => d.notificationId);
    expect(reminderIds.slice(0, 2)).toEqual([`${incident?.id}:reminder:1`, `${incident?.id}:reminder:2`]);

    const acked = await alerts.acknowledge(incident?.id ?? '');
    expect(acked.acknowledgedBy).toBe('admin');
    expect((await alerts.incidents('acknowledged')).map((i) => i.id)).toContain(incident?.id);
    const before = (await log(s.channel.id)).length;
    await new Promise((r) => setTimeout(r, TWO_TICKS_MS));
    expect(await log(s.channel.id)).toHaveLength(before);

    await s.report(20);
    await waitUntil('the resolution', async () => ((await kinds(s.channel.id)).at(-1) === 'resolved' ? true : undefined));
    s.agent.close();
  });

  it('holds reminders back while silenced and resumes when the silence is lifted', async () => {
    const s = await alertScenario(h, alerts, 'silenced-host', receiver.url('/silenced'), { repeatIntervalSeconds: 1 });
    await s.report(99);
    const [incident] = (await alerts.incidents('firing')).filter((i) => i.host.id === s.hostId);
    const silenced = await alerts.silence(incident?.id ?? '', 3600);
    expect(Date.parse(silenced.silencedUntil ?? '')).toBeGreaterThan(Date.now());
    const before = (await log(s.channel.id)).length;
    await new Promise((r) => setTimeout(r, TWO_TICKS_MS));
    // At most a reminder queued just before the silence began.
    expect((await log(s.channel.id)).length).toBeLessThanOrEqual(before + 1);
    const during = (await log(s.channel.id)).length;
    await new Promise((r) => setTimeout(r, TWO_TICKS_MS));
    expect(await log(s.channel.id)).toHaveLength(during);

    await alerts.call('DELETE', `/api/alerts/incidents/${incident?.id}/silence`, null);
    await waitUntil('a reminder after the silence', async () => ((await log(s.channel.id)).length > during ? true : undefined));
    await s.report(10);
    s.agent.close();
  });

  it('resolves a firing incident at once when its rule is disabled, with a resolution message', async () => {
    const s = await alertScenario(h, alerts, 'retired-host', receiver.url('/retired'));
    await s.report(97);
    await alerts.updateRule(s.rule.id, { ...s.rule, enabled: false });
    expect((await alerts.incidents('firing')).filter((i) => i.host.id === s.hostId)).toEqual([]);
    await waitUntil('firing and resolved delivered', async () => {
      const list = await log(s.channel.id);
      return list.map((d) => `${d.kind}:${d.status}`).join() === 'firing:delivered,resolved:delivered' ? true : undefined;
    });
    // Disabled: a new breach fires nothing.
    await s.report(99);
    expect((await alerts.incidents('firing')).filter((i) => i.host.id === s.hostId)).toEqual([]);
    s.agent.close();
  });

  it('answers 409 when acknowledging or silencing a resolved incident', async () => {
    const [resolved] = await alerts.incidents('resolved');
    const res = await h.authedFetch(`/api/alerts/incidents/${resolved?.id}/acknowledge`, { method: 'POST' });
    expect(res.status).toBe(409);
    const silence = await h.authedFetch(`/api/alerts/incidents/${resolved?.id}/silence`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSeconds: 600 }),
    });
    expect(silence.status).toBe(409);
  });

  it('applies a label-scoped rule only to hosts carrying its labels', async () => {
    const channel = await alerts.createWebhookChannel('labels', receiver.url('/labels'), WEBHOOK_SECRET);
    const base = {
      kind: 'pressure' as const,
      severity: 'warning' as const,
      channelIds: [channel.id],
      params: { threshold: 0.5, sustainSnapshots: 1 },
      repeatIntervalSeconds: 0,
    };
    await alerts.createRule({ ...base, name: 'prod only', scope: { hostId: null, labels: { env: 'prod' } } });
    await alerts.createRule({ ...base, name: 'test only', scope: { hostId: null, labels: { env: 'test' } } });
    const { agent, host } = await connectEnrolled(h.api.url, aHello('labelled-host'));
    agent.send(aSnapshot(1, aReport({ used: 60 })));
    await agent.waitFor(isAck(1));
    await evaluated(h, host.hostId, 1);
    const mine = (await alerts.incidents('firing')).filter((i) => i.host.hostname === 'labelled-host');
    expect(mine.map((i) => i.ruleName)).toEqual(['test only']);
    agent.close();
  });
});
