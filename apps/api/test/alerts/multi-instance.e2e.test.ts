import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/evaluation/alert-engine.service.ts';
import type { StartedApi } from '../../src/app.ts';
import { WEBHOOK_ID_HEADER } from '../../src/notifications/providers/webhook.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notifications/support/webhook-receiver.ts';
import { connectEnrolled, isAck, startAnotherApi, startApiHarness, type AgentClient, type ApiHarness } from '../support/api-harness.ts';
import type { AlertRuleInput } from '@portpressure/protocol';
import { aHello, aReport, aSnapshot } from '../support/factories.ts';
import { evaluated, WEBHOOK_SECRET } from './support/alert-scenario.ts';
import { AlertsApi, FAST_ALERTS_ENV } from './support/alerts-api.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

// Two API instances on one database, as behind a load balancer: each runs the engine, the timer
// and a delivery worker. Postgres coordinates them; every notification still goes out once.

describe('two API instances on one database', () => {
  let h: ApiHarness;
  let second: StartedApi;
  let alerts: AlertsApi;
  let receiver: WebhookReceiver;
  const agents: AgentClient[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await startApiHarness(FAST_ALERTS_ENV);
    second = await startAnotherApi(h, FAST_ALERTS_ENV);
    alerts = new AlertsApi((path, init) => h.authedFetch(path, init));
    const channel = await alerts.createWebhookChannel('hook', receiver.url('/multi'), WEBHOOK_SECRET);
    await alerts.replaceRules([
      {
        name: 'Pressure',
        kind: 'pressure',
        severity: 'critical',
        channelIds: [channel.id],
        params: { threshold: 0.9, resolveMargin: 0.1, sustainSnapshots: 1 },
        // Both instances' timers run every second; reminders must still come one at a time.
        repeatIntervalSeconds: 1,
      },
    ]);
  });

  afterAll(async () => {
    for (const agent of agents) agent.close();
    await second?.close();
    await h?.stop();
    await receiver?.close();
  });

  it('delivers each notification exactly once while both workers poll the same outbox', async () => {
    const hosts: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const url = i % 2 === 0 ? h.api.url : second.url;
      const { agent, host } = await connectEnrolled(url, aHello(`fleet-${i}`));
      agents.push(agent);
      hosts.push(host.hostId);
      agent.send(aSnapshot(1, aReport({ used: 95 })));
    }
    await Promise.all(agents.map((a) => a.waitFor(isAck(1))));
    await waitUntil('a firing message per host and some reminders', async () => {
      const firing = receiver.requests.filter((r) => String(r.headers[WEBHOOK_ID_HEADER]).endsWith(':firing'));
      const reminders = receiver.requests.filter((r) => String(r.headers[WEBHOOK_ID_HEADER]).includes(':reminder:'));
      return firing.length === 8 && reminders.length >= 16 ? true : undefined;
    });
    for (const [i, agent] of agents.entries()) {
      agent.send(aSnapshot(2, aReport({ used: 10 })));
      await agent.waitFor(isAck(2));
      await evaluated(h, hosts[i] ?? '', 2);
    }
    await waitUntil('every delivery done', async () => {
      const list = await alerts.deliveries('?limit=500');
      return list.every((d) => d.status === 'delivered') ? list : undefined;
    });

    const ids = receiver.requests.map((r) => String(r.headers[WEBHOOK_ID_HEADER]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.endsWith(':resolved'))).toHaveLength(8);
    const incidents = await alerts.incidents('all');
    expect(incidents).toHaveLength(8);
    expect(new Set(incidents.map((i) => i.host.id))).toEqual(new Set(hosts));
    // Reminders of one incident are numbered without gaps or repeats: one timer ran at a time.
    for (const incident of incidents) {
      const numbers = ids
        .filter((id) => id.startsWith(`${incident.id}:reminder:`))
        .map((id) => Number(id.split(':').at(-1)))
        .sort((a, b) => a - b);
      expect(numbers).toEqual(numbers.map((_, k) => k + 1));
    }
  });

  it('opens one incident when both instances evaluate the same host at once', async () => {
    const { agent, host } = await connectEnrolled(h.api.url, aHello('raced-host'));
    agents.push(agent);
    agent.send(aSnapshot(1, aReport({ used: 10 })));
    await agent.waitFor(isAck(1));
    await evaluated(h, host.hostId, 1);
    const hot = aSnapshot(2, aReport({ used: 99 }));
    const engines = [h.api.app.get(AlertEngine), second.app.get(AlertEngine)];
    const results = await Promise.all(engines.map((e) => e.evaluateSnapshot(host.hostId, hot)));
    expect(results.map((r) => r.fired).sort()).toEqual([0, 1]);
    const mine = (await alerts.incidents('firing')).filter((i) => i.host.id === host.hostId);
    expect(mine).toHaveLength(1);
  });

  it('evaluates with a rule changed through the other instance from the next snapshot on', async () => {
    // The second instance keeps the rules in memory; the change made through the first must reach it.
    const { agent, host } = await connectEnrolled(second.url, aHello('rule-change-host'));
    agents.push(agent);
    const input = (threshold: number): AlertRuleInput => ({
      name: 'Half full',
      kind: 'pressure',
      severity: 'warning',
      scope: { hostId: host.hostId, labels: {} },
      channelIds: [],
      params: { threshold, resolveMargin: 0.1, sustainSnapshots: 1 },
      repeatIntervalSeconds: 0,
    });
    const rule = await alerts.createRule(input(0.7));
    agent.send(aSnapshot(1, aReport({ used: 60 })));
    await agent.waitFor(isAck(1));
    await evaluated(h, host.hostId, 1);
    const firing = async () => (await alerts.incidents('firing')).filter((i) => i.host.id === host.hostId).map((i) => i.ruleName);
    expect(await firing()).toEqual([]);

    await alerts.updateRule(rule.id, input(0.5));
    agent.send(aSnapshot(2, aReport({ used: 60 })));
    await agent.waitFor(isAck(2));
    await evaluated(h, host.hostId, 2);
    expect(await firing()).toEqual(['Half full']);
  });
});
