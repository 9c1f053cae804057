import type { AlertChannel, AlertChannelInput } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForwardProxy, type ForwardProxy } from '../notifications/support/forward-proxy.ts';
import { startSmtpSink, type SmtpSink } from '../notifications/support/smtp-sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notifications/support/webhook-receiver.ts';
import { connectEnrolled, isAck, startApiHarness, type AgentClient, type ApiHarness } from '../support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from '../support/factories.ts';
import { auditEvents, createUser, fetcherFor, signIn } from '../support/users.ts';
import { evaluated } from './support/alert-scenario.ts';
import { AlertsApi, FAST_ALERTS_ENV } from './support/alerts-api.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

// The whole pipeline with the on-call receivers: snapshots → rule → incident → outbox (with a
// retry) → PagerDuty / Opsgenie / Alertmanager-format receivers on loopback and a real SMTP
// server, every request through a real forward proxy set with HTTP_PROXY.

describe('on-call receivers through the outbox and the egress proxy', () => {
  let h: ApiHarness;
  let receiver: WebhookReceiver;
  let smtp: SmtpSink;
  let proxy: ForwardProxy;
  let agent: AgentClient;
  let hostId: string;
  let alerts: AlertsApi;
  const channels: AlertChannel[] = [];
  let seq = 0;

  async function report(used: number): Promise<void> {
    seq += 1;
    agent.send(aSnapshot(seq, aReport({ tuples: [aTuple({ used, remoteAddress: '10.0.0.5', remotePort: 5432 })] })));
    await agent.waitFor(isAck(seq));
    await evaluated(h, hostId, seq);
  }

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    smtp = await startSmtpSink({ username: 'alerts', password: 'smtp-SECRET-password' });
    proxy = await startForwardProxy();
    h = await startApiHarness({ ...FAST_ALERTS_ENV, HTTP_PROXY: proxy.url });
    const admin = fetcherFor(h.api.url, await h.login());
    await new AlertsApi(admin).replaceRules([]);
    await createUser(admin, 'erin', 'editor', 'erin-password-1');
    alerts = new AlertsApi(fetcherFor(h.api.url, await signIn(h.api.url, 'erin', 'erin-password-1')));
    const inputs: AlertChannelInput[] = [
      {
        name: 'PagerDuty',
        type: 'pagerduty',
        settings: { routingKey: 'PDKEYSECRET0123456789abcdefghij', eventsUrl: receiver.url('/pd/v2/enqueue') },
      },
      { name: 'Opsgenie', type: 'opsgenie', settings: { apiKey: 'OGKEY-SECRET-0123456789', apiUrl: receiver.url('/og') } },
      { name: 'Alertmanager receiver', type: 'alertmanager', settings: { webhookUrl: receiver.url('/am/SECRETPATH') } },
      {
        name: 'On-call mail',
        type: 'email',
        settings: {
          host: '127.0.0.1',
          port: String(smtp.port),
          security: 'starttls',
          username: 'alerts',
          password: 'smtp-SECRET-password',
          from: 'pp@example.com',
          to: 'oncall@example.com',
          allowSelfSigned: true,
        },
      },
    ];
    for (const input of inputs) channels.push(await alerts.createChannel(input));
    ({
      agent,
      host: { hostId },
    } = await connectEnrolled(h.api.url, aHello('db-1.prod')));
    await alerts.createRule({
      name: 'Pressure on db-1',
      kind: 'pressure',
      severity: 'critical',
      scope: { hostId, labels: {} },
      channelIds: channels.map((c) => c.id),
      params: { threshold: 0.9, resolveMargin: 0.1, sustainSnapshots: 1 },
      repeatIntervalSeconds: 0,
    });
  });

  afterAll(async () => {
    agent?.close();
    await h?.stop();
    await receiver?.close();
    await smtp?.close();
    await proxy?.close();
  });

  it('triggers and resolves each incident in every receiver, matched by key, retrying a failure', async () => {
    receiver.enqueue({ status: 503, body: 'busy' });
    await report(95);
    await waitUntil('4 firing deliveries', async () => {
      const list = await alerts.deliveries();
      return list.length === 4 && list.every((d) => d.status === 'delivered') ? list : undefined;
    });
    await report(40);
    const deliveries = await waitUntil('8 deliveries', async () => {
      const list = await alerts.deliveries();
      return list.length === 8 && list.every((d) => d.status === 'delivered') ? list : undefined;
    });
    expect(deliveries.some((d) => d.attempts === 2)).toBe(true); // the 503 was retried by the outbox

    const bodies = (prefix: string): Array<Record<string, unknown>> =>
      receiver.requests.filter((r) => r.path.startsWith(prefix) && r.body !== '').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    const pd = bodies('/pd/');
    const triggers = pd.filter((b) => b.event_action === 'trigger');
    const resolves = pd.filter((b) => b.event_action === 'resolve');
    expect(resolves).toHaveLength(1);
    expect(new Set(triggers.map((t) => t.dedup_key))).toEqual(new Set([resolves[0]!.dedup_key]));

    const og = receiver.requests.filter((r) => r.path.startsWith('/og/'));
    const created = og.filter((r) => r.path === '/og/v2/alerts').map((r) => JSON.parse(r.body) as { alias: string });
    const closed = og.filter((r) => r.path.includes('/close'));
    expect(closed).toHaveLength(1);
    expect(closed[0]!.path).toBe(`/og/v2/alerts/${created[0]!.alias}/close?identifierType=alias`);

    const am = bodies('/am/') as Array<{ status: string; alerts: Array<{ fingerprint: string }> }>;
    expect(am.map((p) => p.status).filter((s, i, all) => all.indexOf(s) === i)).toEqual(['firing', 'resolved']);
    expect(new Set(am.map((p) => p.alerts[0]!.fingerprint)).size).toBe(1);

    expect(smtp.messages).toHaveLength(2);
    expect(smtp.messages.map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1])).toEqual([
      expect.stringContaining('CRITICAL'),
      expect.stringContaining('RESOLVED'),
    ]);
    expect(smtp.messages.every((m) => m.secure)).toBe(true);

    // every delivery went through the proxy: HTTP tunnels to the receiver, SMTP tunnels to the server
    const targets = new Set(proxy.seen.map((s) => `${s.method} ${s.target}`));
    expect(targets).toEqual(new Set([`CONNECT ${receiver.origin.replace('http://', '')}`, `CONNECT 127.0.0.1:${smtp.port}`]));
  });

  it('sends a test through each receiver on request', async () => {
    for (const channel of channels) {
      const delivery = await alerts.sendTest(channel.id);
      expect(delivery, channel.type).toMatchObject({ status: 'delivered', kind: 'test' });
    }
    expect(smtp.messages).toHaveLength(3);
  });

  it('shows the channels with secrets masked and records who created them', async () => {
    const listed = JSON.stringify(await alerts.channels());
    expect(listed).not.toContain('SECRET');
    const events = await auditEvents((path, init) => h.authedFetch(path, init), '&entityType=channel');
    expect(events.filter((e) => e.action === 'create').map((e) => [e.actor, (e.after as { type: string }).type])).toEqual([
      ['erin', 'email'],
      ['erin', 'alertmanager'],
      ['erin', 'opsgenie'],
      ['erin', 'pagerduty'],
    ]);
    expect(JSON.stringify(events)).not.toContain('SECRET');
  });
});
