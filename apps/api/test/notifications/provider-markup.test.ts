import { describe, expect, it } from 'vitest';
import { sendHttp } from '../../src/notifications/http-sender.ts';
import type { AlertNotification } from '../../src/notifications/notification.ts';
import { buildChannelRequest, type HttpChannelConfig } from '../../src/notifications/providers/index.ts';
import { aFiringNotification } from './support/notification-factory.ts';
import { LOOPBACK, useWebhookReceiver } from './support/webhook-receiver.ts';

/**
 * Issue #17 row 8: host names and labels come from agents, so they are hostile input to every
 * chat service's markup. Each provider's message goes through the real sender to a real receiver,
 * and every string in what arrived is checked for live links, images, mentions and invisible
 * characters.
 */
const LINK = '[click](https://evil.example)';
const IMAGE = '![pixel](https://evil.example/p.png)';
const SLACK_STYLE_LINK = '<https://evil.example|click>';
const MENTION_ALL = '<users/all>';
const RLO = '\u202E';
const ZWSP = '\u200B';

function hostile(): AlertNotification {
  return aFiringNotification({
    ruleName: `rule ${LINK}`,
    host: {
      id: 'host-42',
      hostname: `web${RLO}1${ZWSP}${LINK}${MENTION_ALL}`,
      labels: { note: `${IMAGE} ${SLACK_STYLE_LINK} @channel @here`, [`k${LINK}`.replace(/[^A-Za-z0-9_.\-/]/g, '')]: 'x' },
    },
  });
}

const receiver = useWebhookReceiver();

/** Every string value of a JSON document. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

async function deliver(config: HttpChannelConfig): Promise<string[]> {
  const before = receiver.requests.length;
  const outcome = await sendHttp(buildChannelRequest(config, hostile()), { timeoutMs: 5_000, allow: LOOPBACK });
  expect(outcome.ok).toBe(true);
  const body = receiver.requests[before]?.body;
  if (body === undefined) throw new Error('the receiver got nothing');
  // The link to our own UI is ours; everything else is text people read.
  return strings(JSON.parse(body)).filter((s) => !s.startsWith('https://portpressure.example.com/'));
}

function expectNoInvisible(texts: string[]): void {
  const all = texts.join('\n');
  expect(all).not.toContain(RLO);
  expect(all).not.toContain(ZWSP);
  expect(all).toContain('⟨U+202E⟩');
}

/** A Markdown link or image whose brackets and parenthesis are not backslash-escaped. */
const LIVE_MARKDOWN_LINK = /(?<!\\)\[[^\]]*(?<!\\)\]\(/;

describe('chat messages show hostile host names and labels as text', () => {
  it('Discord: Markdown links and images are escaped, mentions are off', async () => {
    const texts = await deliver({ type: 'discord', settings: { webhookUrl: receiver.url('/discord') } });
    for (const t of texts) expect(t).not.toMatch(LIVE_MARKDOWN_LINK);
    expect(texts.join('\n')).toContain('\\[click\\]\\(https://evil.example\\)');
    expect(texts.join('\n')).toContain('\\!\\[pixel\\]');
    expectNoInvisible(texts);
    const request = receiver.requests.at(-1)!;
    expect(JSON.parse(request.body)).toMatchObject({ allowed_mentions: { parse: [] } });
  });

  it('Mattermost: Markdown escaped and @channel/@here cannot notify', async () => {
    const texts = await deliver({ type: 'mattermost', settings: { webhookUrl: receiver.url('/mattermost') } });
    for (const t of texts) {
      expect(t).not.toMatch(LIVE_MARKDOWN_LINK);
      expect(t).not.toMatch(/@(channel|here|all)\b/);
    }
    expect(texts.join('\n')).toContain('＠channel');
    expectNoInvisible(texts);
  });

  it('Teams: no Markdown link or image can be formed from a host name or label', async () => {
    const texts = await deliver({ type: 'teams', settings: { webhookUrl: receiver.url('/teams') } });
    for (const t of texts) {
      expect(t).not.toContain('[click]');
      expect(t).not.toContain('](');
      expect(t).not.toContain('<');
    }
    expect(texts.join('\n')).toContain('［click］(https://evil.example)');
    expectNoInvisible(texts);
  });

  it('Google Chat text: <users/all> and <url|text> stay text', async () => {
    const texts = await deliver({
      type: 'google-chat',
      settings: { webhookUrl: receiver.url('/chat?key=k&token=t'), format: 'text', threadByIncident: false },
    });
    const all = texts.join('\n');
    expect(all).not.toContain(MENTION_ALL);
    expect(all).not.toContain(SLACK_STYLE_LINK);
    expect(all).toContain('‹users/all›');
    // Our own "Open in Portpressure" link is the only <…|…> left.
    expect(all.match(/<[^>]*\|[^>]*>/g)).toEqual(['<https://portpressure.example.com/hosts/host-42|Open in Portpressure>']);
    expectNoInvisible(texts);
  });

  it('Google Chat cards: no mention or link markup in any text of the card', async () => {
    const texts = await deliver({
      type: 'google-chat',
      settings: { webhookUrl: receiver.url('/chat?key=k&token=t'), format: 'cards', threadByIncident: false },
    });
    for (const t of texts) {
      expect(t).not.toContain(MENTION_ALL);
      expect(t).not.toContain(SLACK_STYLE_LINK);
    }
    expect(texts.join('\n')).toContain('‹users/all›');
    expectNoInvisible(texts);
  });

  it('Slack: angle brackets escaped (as before), invisible characters shown', async () => {
    const texts = await deliver({ type: 'slack', settings: { webhookUrl: receiver.url('/slack') } });
    const mrkdwn = texts.filter((t) => t.includes('&lt;'));
    expect(mrkdwn.length).toBeGreaterThan(0);
    for (const t of texts) expect(t).not.toContain(SLACK_STYLE_LINK);
    expectNoInvisible(texts);
  });
});
