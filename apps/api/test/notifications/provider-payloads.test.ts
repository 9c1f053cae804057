import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sendHttp } from '../../src/notifications/http-sender.ts';
import type { AlertNotification } from '../../src/notifications/notification.ts';
import { buildChannelRequest } from '../../src/notifications/providers/index.ts';
import type { ChatChannelConfig } from '../../src/notifications/providers/index.ts';
import { googleChatThreadKey } from '../../src/notifications/providers/google-chat.ts';
import {
  verifyWebhookSignature,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookPayloadSchema,
} from '../../src/notifications/providers/webhook.ts';
import { aFiringNotification, aForecastNotification, aResolvedNotification, FIXED_NOW } from './support/notification-factory.ts';
import {
  discordMessageSchema,
  googleChatCardMessageSchema,
  mattermostMessageSchema,
  slackMessageSchema,
  teamsMessageSchema,
} from './support/provider-schemas.ts';
import type { ReceivedRequest } from './support/webhook-receiver.ts';
import { LOOPBACK, useWebhookReceiver } from './support/webhook-receiver.ts';

const SECRET_PATH = '/hooks/T0SECRET/B0SECRET/xoxSECRETTOKEN';
const WEBHOOK_SECRET = 'correct-horse-battery-staple';

const receiver = useWebhookReceiver();

function configFor(type: ChatChannelConfig['type'], url: string): ChatChannelConfig {
  switch (type) {
    case 'slack':
      return { type, settings: { webhookUrl: url } };
    case 'discord':
      return { type, settings: { webhookUrl: url, username: 'Portpressure' } };
    case 'teams':
      return { type, settings: { webhookUrl: url } };
    case 'mattermost':
      return { type, settings: { webhookUrl: url } };
    case 'google-chat':
      return { type, settings: { webhookUrl: url, format: 'cards', threadByIncident: true } };
    case 'webhook':
      return { type, settings: { webhookUrl: url, secret: WEBHOOK_SECRET } };
  }
}

/** Builds, sends through the real sender to the real receiver, and returns what arrived. */
async function deliver(config: ChatChannelConfig, notification: AlertNotification): Promise<ReceivedRequest> {
  const before = receiver.requests.length;
  const outcome = await sendHttp(buildChannelRequest(config, notification, { now: FIXED_NOW }), { timeoutMs: 5_000, allow: LOOPBACK });
  expect(outcome).toMatchObject({ ok: true, status: 200 });
  expect(receiver.requests).toHaveLength(before + 1);
  const received = receiver.requests[before];
  if (received === undefined) throw new Error('receiver recorded nothing');
  expect(received.method).toBe('POST');
  expect(received.headers['content-type']).toMatch(/^application\/json/);
  return received;
}

function json(received: ReceivedRequest): unknown {
  return JSON.parse(received.body);
}

describe('Slack incoming webhook', () => {
  const config = (): ChatChannelConfig => configFor('slack', receiver.url(SECRET_PATH));

  it('delivers a firing alert as Block Kit blocks with a fallback text naming host and severity', async () => {
    const received = await deliver(config(), aFiringNotification());
    expect(received.path).toBe(SECRET_PATH);
    const message = slackMessageSchema.parse(json(received));
    expect(message.text).toContain('CRITICAL');
    expect(message.text).toContain('web-1.prod');
    const [header] = message.blocks;
    expect(header).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('tcp 10.0.0.5:5432 from 10.0.0.2');
    expect(all).toContain('92.3%');
    expect(all).toContain('58,213 of 63,000 usable');
    expect(all).toContain('81% of used');
    expect(all).toContain('<https://portpressure.example.com/hosts/host-42|');
  });

  it('delivers a resolution saying how long the incident lasted', async () => {
    const message = slackMessageSchema.parse(json(await deliver(config(), aResolvedNotification())));
    expect(message.text).toContain('RESOLVED');
    expect(JSON.stringify(message.blocks)).toContain('1h 2m');
  });

  it('escapes angle brackets so a rule name cannot inject a Slack link or mention', async () => {
    const message = slackMessageSchema.parse(json(await deliver(config(), aFiringNotification({ ruleName: 'db <!channel> & co' }))));
    expect(message.text).toContain('db &lt;!channel&gt; &amp; co');
    expect(message.text).not.toContain('<!channel>');
  });
});

describe('Discord webhook', () => {
  const config = (): ChatChannelConfig => configFor('discord', receiver.url(SECRET_PATH));

  it('delivers a firing alert as an embed coloured red for critical, linking to the host', async () => {
    const message = discordMessageSchema.parse(json(await deliver(config(), aFiringNotification())));
    const [embed] = message.embeds;
    expect(embed?.color).toBe(0xd93025);
    expect(embed?.url).toBe('https://portpressure.example.com/hosts/host-42');
    expect(embed?.title).toContain('web-1.prod');
    expect(embed?.fields).toContainEqual({ name: 'Tuple', value: 'tcp 10.0.0.5:5432 from 10.0.0.2', inline: false });
    expect(embed?.fields).toContainEqual({ name: 'Pressure', value: '92.3%', inline: true });
    expect(message.username).toBe('Portpressure');
    expect(message.allowed_mentions.parse).toEqual([]);
  });

  it('colours a warning amber and a resolution green, with the duration as a field', async () => {
    const warning = discordMessageSchema.parse(json(await deliver(config(), aFiringNotification({ severity: 'warning' }))));
    expect(warning.embeds[0]?.color).toBe(0xf29900);
    const resolved = discordMessageSchema.parse(json(await deliver(config(), aResolvedNotification())));
    expect(resolved.embeds[0]?.color).toBe(0x2eb67d);
    expect(resolved.embeds[0]?.fields).toContainEqual({ name: 'Lasted', value: '1h 2m', inline: true });
    expect(resolved.embeds[0]?.timestamp).toBe('2026-05-01T11:02:05.000Z');
  });
});

describe('Microsoft Teams Workflows webhook', () => {
  const config = (): ChatChannelConfig => configFor('teams', receiver.url(SECRET_PATH));

  it('delivers a message carrying one Adaptive Card 1.4 with facts and an open-host action', async () => {
    const message = teamsMessageSchema.parse(json(await deliver(config(), aForecastNotification())));
    const card = message.attachments[0]?.content;
    const facts = card?.body.flatMap((e) => (e.type === 'FactSet' ? e.facts : []));
    expect(facts).toContainEqual({ title: 'Runs out', value: 'in 12m (at 2026-05-01T10:17:00.000Z)' });
    expect(facts).toContainEqual({ title: 'TIME_WAIT', value: '81% of used' });
    expect(card?.actions[0]?.url).toBe('https://portpressure.example.com/hosts/host-42');
    const summary = card?.body.find((e) => e.type === 'TextBlock' && e.text.includes('forecast'));
    expect(summary).toBeDefined();
  });

  it('delivers a resolution with a green title and how long it lasted', async () => {
    const received = await deliver(config(), aResolvedNotification());
    const message = teamsMessageSchema.parse(json(received));
    const body = message.attachments[0]?.content.body ?? [];
    expect(body[0]).toMatchObject({ type: 'TextBlock', color: 'Good' });
    const facts = body.flatMap((e) => (e.type === 'FactSet' ? e.facts : []));
    expect(facts).toContainEqual({ title: 'Lasted', value: '1h 2m' });
  });
});

describe('Mattermost incoming webhook', () => {
  const config = (): ChatChannelConfig => configFor('mattermost', receiver.url(SECRET_PATH));

  it('delivers one attachment with fallback text, severity colour, title link and fields', async () => {
    const message = mattermostMessageSchema.parse(json(await deliver(config(), aFiringNotification())));
    const [attachment] = message.attachments;
    expect(attachment?.color).toBe('#D93025');
    expect(attachment?.title_link).toBe('https://portpressure.example.com/hosts/host-42');
    expect(attachment?.fallback).toContain('Host page: https://portpressure.example.com/hosts/host-42');
    expect(attachment?.fields).toContainEqual({ short: true, title: 'Ports used', value: '58,213 of 63,000 usable' });
  });

  it('delivers a resolution coloured green', async () => {
    const message = mattermostMessageSchema.parse(json(await deliver(config(), aResolvedNotification())));
    expect(message.attachments[0]?.color).toBe('#2EB67D');
    expect(message.attachments[0]?.text).toContain('Resolved after 1h 2m');
  });
});

describe('Google Chat webhook', () => {
  const url = (): string => receiver.url('/v1/spaces/AAAA/messages?key=SECRETKEY&token=SECRETTOKEN');

  it('delivers a cardsV2 card and threads the firing and its resolution under one key', async () => {
    const firing = await deliver(configFor('google-chat', url()), aFiringNotification());
    const resolved = await deliver(configFor('google-chat', url()), aResolvedNotification());
    for (const received of [firing, resolved]) {
      const query = new URL(received.path, receiver.origin).searchParams;
      expect(query.get('key')).toBe('SECRETKEY');
      expect(query.get('token')).toBe('SECRETTOKEN');
      expect(query.get('messageReplyOption')).toBe('REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    }
    const first = googleChatCardMessageSchema.parse(json(firing));
    const second = googleChatCardMessageSchema.parse(json(resolved));
    expect(first.thread.threadKey).toBe(googleChatThreadKey(aFiringNotification().groupKey));
    expect(second.thread.threadKey).toBe(first.thread.threadKey);
    expect(first.cardsV2[0]?.card.header.title).toContain('CRITICAL');
    expect(second.cardsV2[0]?.card.header.title).toContain('RESOLVED');
    expect(JSON.stringify(second.cardsV2)).toContain('1h 2m');
  });

  it('sends a plain text message when the channel asks for text', async () => {
    const config: ChatChannelConfig = {
      type: 'google-chat',
      settings: { webhookUrl: url(), format: 'text', threadByIncident: false },
    };
    const received = await deliver(config, aFiringNotification());
    const message = z.strictObject({ text: z.string() }).parse(json(received));
    expect(message.text).toContain('Pressure: 92.3%');
    expect(message.text).toContain('<https://portpressure.example.com/hosts/host-42|');
    expect(new URL(received.path, receiver.origin).searchParams.has('messageReplyOption')).toBe(false);
  });
});

describe('generic signed webhook', () => {
  const config = (): ChatChannelConfig => configFor('webhook', receiver.url('/portpressure'));

  function signatureParts(received: ReceivedRequest): { timestamp: string; signature: string } {
    const timestamp = received.headers[WEBHOOK_TIMESTAMP_HEADER];
    const signature = received.headers[WEBHOOK_SIGNATURE_HEADER];
    if (typeof timestamp !== 'string' || typeof signature !== 'string') throw new Error('signature headers missing');
    return { timestamp, signature };
  }

  it('delivers the notification as JSON whose signature verifies with the shared secret', async () => {
    const notification = aFiringNotification();
    const received = await deliver(config(), notification);
    const payload = webhookPayloadSchema.parse(json(received));
    expect(payload.notification).toEqual(notification);
    expect(payload.text).toContain('Tuple: tcp 10.0.0.5:5432 from 10.0.0.2');
    expect(received.headers[WEBHOOK_ID_HEADER]).toBe('ntf-0001');
    const { timestamp, signature } = signatureParts(received);
    expect(timestamp).toBe(String(FIXED_NOW.getTime() / 1000));
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, received.body, signature, 300, FIXED_NOW.getTime())).toBe(true);
  });

  it('delivers a resolution whose signature fails with a wrong secret, a stale timestamp or an altered body', async () => {
    const received = await deliver(config(), aResolvedNotification());
    expect(webhookPayloadSchema.parse(json(received)).notification.kind).toBe('resolved');
    const { timestamp, signature } = signatureParts(received);
    const at = FIXED_NOW.getTime();
    expect(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, received.body, signature, 300, at)).toBe(true);
    expect(verifyWebhookSignature('not-the-shared-secret', timestamp, received.body, signature, 300, at)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, received.body, signature, 300, at + 301_000)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, received.body.replace('resolved', 'firing'), signature, 300, at)).toBe(false);
  });

  it('signs each build with the current clock, so a retry is not rejected as stale', async () => {
    const received = await deliver(config(), aFiringNotification());
    const { timestamp: first } = signatureParts(received);
    const later = new Date(FIXED_NOW.getTime() + 600_000);
    const outcome = await sendHttp(buildChannelRequest(config(), aFiringNotification(), { now: later }), {
      timeoutMs: 5_000,
      allow: LOOPBACK,
    });
    expect(outcome.ok).toBe(true);
    const retry = receiver.requests.at(-1);
    if (retry === undefined) throw new Error('no retry recorded');
    const { timestamp, signature } = signatureParts(retry);
    expect(Number(timestamp) - Number(first)).toBe(600);
    expect(verifyWebhookSignature(WEBHOOK_SECRET, timestamp, retry.body, signature, 300, later.getTime())).toBe(true);
  });
});
