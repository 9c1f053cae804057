import type { AlertChannel, AlertChannelInput, ChannelType } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { googleChatThreadKey } from '../../src/notifications/providers/google-chat.ts';
import type { ChatChannelConfig } from '../../src/notifications/providers/index.ts';
import {
  verifyWebhookSignature,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookPayloadSchema,
} from '../../src/notifications/providers/webhook.ts';
import {
  discordMessageSchema,
  googleChatCardMessageSchema,
  mattermostMessageSchema,
  slackMessageSchema,
  teamsMessageSchema,
} from '../notifications/support/provider-schemas.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../notifications/support/webhook-receiver.ts';
import { connectEnrolled, isAck, startApiHarness, type AgentClient, type ApiHarness } from '../support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from '../support/factories.ts';
import { evaluated } from './support/alert-scenario.ts';
import { AlertsApi, FAST_ALERTS_ENV } from './support/alerts-api.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

// The whole pipeline with every provider: snapshots over the agent WebSocket → rule → incident →
// outbox → worker → a real HTTP receiver on loopback, one channel per provider.

// The on-call receivers and e-mail have tests of their own (apps/api/test/notifications/receivers.test.ts).
type ChatChannelType = ChatChannelConfig['type'];

const SECRET = 'pipeline-shared-secret-0123456789';
const PATHS: Record<ChatChannelType, string> = {
  slack: '/slack/services/T0SECRET/B0SECRET/XXSECRET',
  discord: '/discord/api/webhooks/123/SECRETTOKEN',
  teams: '/teams/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIG',
  mattermost: '/mattermost/hooks/SECRETKEY',
  'google-chat': '/gchat/v1/spaces/AAAA/messages?key=SECRETKEY&token=SECRETTOKEN',
  webhook: '/webhook/portpressure',
};

function channelInput(type: ChannelType, url: string): AlertChannelInput {
  const settings: Record<string, string | boolean> = { webhookUrl: url };
  if (type === 'webhook') settings.secret = SECRET;
  return { name: `${type} on-call`, type, settings };
}

const byPath = (receiver: WebhookReceiver, type: ChatChannelType): ReceivedRequest[] =>
  receiver.requests.filter((r) => r.path.startsWith(PATHS[type].split('?')[0] ?? ''));

const json = (r: ReceivedRequest | undefined): unknown => JSON.parse(r?.body ?? 'null');

describe('alert pipeline through every provider', () => {
  let h: ApiHarness;
  let alerts: AlertsApi;
  let receiver: WebhookReceiver;
  let agent: AgentClient;
  let hostId: string;
  let seq = 0;
  const channels = new Map<ChannelType, AlertChannel>();

  /** Sends one snapshot whose worst tuple uses `used` of 100 ports and waits until rules ran on it. */
  async function report(used: number): Promise<void> {
    seq += 1;
    agent.send(
      aSnapshot(seq, aReport({ tuples: [aTuple({ used, timeWait: Math.floor(used / 4), remoteAddress: '10.0.0.5', remotePort: 5432 })] })),
    );
    await agent.waitFor(isAck(seq));
    await evaluated(h, hostId, seq);
  }

  const allDelivered = async (count: number) => {
    const list = await alerts.deliveries();
    return list.length === count && list.every((d) => d.status === 'delivered') ? list : undefined;
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    h = await startApiHarness(FAST_ALERTS_ENV);
    alerts = new AlertsApi((path, init) => h.authedFetch(path, init));
    await alerts.replaceRules([
      {
        name: 'Port pressure critical',
        kind: 'pressure',
        severity: 'critical',
        params: { threshold: 0.9, resolveMargin: 0.1, sustainSnapshots: 2 },
        repeatIntervalSeconds: 0,
      },
    ]);
    for (const type of Object.keys(PATHS) as ChatChannelType[]) {
      channels.set(type, await alerts.createChannel(channelInput(type, receiver.url(PATHS[type]))));
    }
    ({
      agent,
      host: { hostId },
    } = await connectEnrolled(h.api.url, aHello('web-1.prod')));
  });

  afterAll(async () => {
    agent?.close();
    await h?.stop();
    await receiver?.close();
  });

  it('sends nothing until the threshold held for the sustained number of snapshots', async () => {
    await report(95);
    expect(await alerts.incidents()).toEqual([]);
    expect(receiver.requests).toEqual([]);
  });

  it('fires once and delivers the firing message to every channel in its documented format', async () => {
    await report(96);
    await waitUntil('six firing deliveries', () => allDelivered(6));
    expect(receiver.requests).toHaveLength(6);
    const [incident] = await alerts.incidents('firing');
    expect(incident).toMatchObject({ ruleName: 'Port pressure critical', severity: 'critical', status: 'firing' });
    expect(incident?.tuple).toEqual({ protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '10.0.0.5', remotePort: 5432 });

    const hostUrl = `https://portpressure.example.com/hosts/${hostId}`;
    const slack = slackMessageSchema.parse(json(byPath(receiver, 'slack')[0]));
    expect(slack.text).toContain('CRITICAL: Port pressure critical on web-1.prod');
    expect(JSON.stringify(slack.blocks)).toContain('96%');
    expect(JSON.stringify(slack.blocks)).toContain('96 of 100 usable');
    expect(JSON.stringify(slack.blocks)).toContain(`<${hostUrl}|`);

    const discord = discordMessageSchema.parse(json(byPath(receiver, 'discord')[0]));
    expect(discord.embeds[0]?.url).toBe(hostUrl);
    expect(discord.embeds[0]?.fields).toContainEqual({ name: 'Tuple', value: 'tcp 10.0.0.5:5432 from 127.0.0.1', inline: false });

    const teams = teamsMessageSchema.parse(json(byPath(receiver, 'teams')[0]));
    const facts = teams.attachments[0]?.content.body.flatMap((e) => (e.type === 'FactSet' ? e.facts : []));
    expect(facts).toContainEqual({ title: 'TIME_WAIT', value: '25% of used' });

    const mattermost = mattermostMessageSchema.parse(json(byPath(receiver, 'mattermost')[0]));
    expect(mattermost.attachments[0]?.title_link).toBe(hostUrl);

    const gchat = googleChatCardMessageSchema.parse(json(byPath(receiver, 'google-chat')[0]));
    expect(gchat.thread.threadKey).toBe(googleChatThreadKey(incident?.groupKey ?? ''));

    const [hook] = byPath(receiver, 'webhook');
    const payload = webhookPayloadSchema.parse(json(hook));
    expect(payload.notification).toMatchObject({ kind: 'firing', id: `${incident?.id}:firing`, pressure: 0.96, used: 96 });
    expect(hook?.headers[WEBHOOK_EVENT_HEADER]).toBe('firing');
    expect(hook?.headers[WEBHOOK_ID_HEADER]).toBe(`${incident?.id}:firing`);
  });

  it('sends nothing more while the incident keeps firing, even dipping into the hysteresis band', async () => {
    await report(97);
    await report(85);
    await report(91);
    await report(82);
    // Notifications are queued in the evaluation's transaction: nothing queued once these
    // snapshots were evaluated means nothing will be sent.
    expect(await alerts.deliveries()).toHaveLength(6);
    expect(await alerts.incidents('firing')).toHaveLength(1);
    expect(receiver.requests).toHaveLength(6);
  });

  it('resolves once below threshold − margin and tells every channel, with how long it lasted', async () => {
    await report(40);
    const deliveries = await waitUntil('twelve deliveries', () => allDelivered(12));
    expect(receiver.requests).toHaveLength(12);
    const [incident] = await alerts.incidents('resolved');
    expect(incident?.resolvedAt).not.toBeNull();
    expect(deliveries.filter((d) => d.kind === 'resolved')).toHaveLength(6);

    expect(slackMessageSchema.parse(json(byPath(receiver, 'slack')[1])).text).toContain('RESOLVED');
    expect(discordMessageSchema.parse(json(byPath(receiver, 'discord')[1])).embeds[0]?.fields.map((f) => f.name)).toContain('Lasted');
    const teams = teamsMessageSchema.parse(json(byPath(receiver, 'teams')[1]));
    expect(teams.attachments[0]?.content.body[0]).toMatchObject({ type: 'TextBlock', color: 'Good' });
    expect(mattermostMessageSchema.parse(json(byPath(receiver, 'mattermost')[1])).attachments[0]?.text).toContain('Resolved after');
    const [firstChat, secondChat] = byPath(receiver, 'google-chat').map((r) => googleChatCardMessageSchema.parse(json(r)));
    expect(secondChat?.thread.threadKey).toBe(firstChat?.thread.threadKey);
    const resolved = webhookPayloadSchema.parse(json(byPath(receiver, 'webhook')[1])).notification;
    expect(resolved).toMatchObject({ kind: 'resolved', id: `${incident?.id}:resolved`, used: 40 });
    expect(resolved.durationSeconds).toBeGreaterThan(0);
  });

  it('sent exactly one message per transition and channel', () => {
    for (const type of Object.keys(PATHS) as ChatChannelType[]) expect(byPath(receiver, type), type).toHaveLength(2);
  });

  it('signs every generic webhook delivery so that it verifies with the shared secret, and only with it', () => {
    for (const request of byPath(receiver, 'webhook')) {
      const timestamp = z.string().parse(request.headers[WEBHOOK_TIMESTAMP_HEADER]);
      const signature = z.string().parse(request.headers[WEBHOOK_SIGNATURE_HEADER]);
      const at = Number(timestamp) * 1000;
      expect(verifyWebhookSignature(SECRET, timestamp, request.body, signature, 300, at)).toBe(true);
      expect(verifyWebhookSignature('some-other-secret-value-000', timestamp, request.body, signature, 300, at)).toBe(false);
    }
  });

  it('never returns a webhook URL or secret through the API', async () => {
    const text = JSON.stringify(await alerts.channels()) + JSON.stringify(await alerts.deliveries());
    for (const secret of ['SECRET', SECRET]) expect(text).not.toContain(secret);
    const webhook = (await alerts.channels()).find((c) => c.type === 'webhook');
    expect(webhook?.settings).toEqual({ webhookUrl: `${receiver.origin}/***`, secret: '***' });
  });
});
