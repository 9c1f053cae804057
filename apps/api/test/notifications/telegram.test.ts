import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sendHttp } from '../../src/notifications/http-sender.ts';
import { buildChannelRequest, channelConfigSchema, redactChannelConfig } from '../../src/notifications/providers/index.ts';
import { channelTypes } from '../../src/alerts/channels/channel-types.ts';
import { aFiringNotification, aResolvedNotification, FIXED_NOW } from './support/notification-factory.ts';
import { LOOPBACK, useWebhookReceiver, type ReceivedRequest } from './support/webhook-receiver.ts';

/**
 * The Telegram provider against a real HTTP server on loopback standing in for the Bot API: the
 * request path carries the token, the body is a sendMessage in HTML mode, and user text cannot
 * become markup.
 */
const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const sendMessageSchema = z.strictObject({
  chat_id: z.string(),
  text: z.string().max(4096),
  parse_mode: z.literal('HTML'),
  link_preview_options: z.strictObject({ is_disabled: z.literal(true) }),
});

const receiver = useWebhookReceiver();

function telegramConfig(chatId = '-1001234567890') {
  const config = channelConfigSchema.parse({ type: 'telegram', settings: { botToken: BOT_TOKEN, chatId, apiUrl: `${receiver.origin}/` } });
  if (config.type !== 'telegram') throw new Error('parsed as another provider');
  return config;
}

async function deliver(notification = aFiringNotification()): Promise<ReceivedRequest> {
  const outcome = await sendHttp(buildChannelRequest(telegramConfig(), notification, { now: FIXED_NOW }), {
    timeoutMs: 5_000,
    allow: LOOPBACK,
  });
  expect(outcome).toMatchObject({ ok: true, status: 200 });
  const received = receiver.requests[0];
  if (received === undefined) throw new Error('the receiver got nothing');
  return received;
}

/** Every HTML tag in a Telegram text: what the client would render as markup. */
function tags(text: string): string[] {
  return [...text.matchAll(/<[^>]*>/g)].map((m) => m[0]);
}

describe('telegram provider', () => {
  it('posts a sendMessage to /bot<token>/sendMessage with the chat id and an HTML text', async () => {
    const received = await deliver();
    expect(received.method).toBe('POST');
    expect(received.path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    expect(received.headers['content-type']).toMatch(/^application\/json/);
    const body = sendMessageSchema.parse(JSON.parse(received.body));
    expect(body.chat_id).toBe('-1001234567890');
    expect(body.text).toMatch(/^<b>CRITICAL: Port pressure critical on web-1.prod<\/b>\n/);
    expect(body.text).toContain('<b>Host:</b> ');
    expect(body.text).toContain('<a href="https://portpressure.example.com/');
  });

  it('says resolved for a resolved incident', async () => {
    const body = sendMessageSchema.parse(JSON.parse((await deliver(aResolvedNotification())).body));
    expect(body.text).toMatch(/^<b>RESOLVED: /);
  });

  it('escapes host names, labels and rule names so they cannot become links, bold text or entities', async () => {
    const hostile = aFiringNotification({
      ruleName: 'rule <a href="https://evil.example">click</a> &amp;',
      host: { id: 'host-42', hostname: 'web\u202E1<b>boss</b>', labels: { note: '<i>x</i> & "quoted"' } },
    });
    const { text } = sendMessageSchema.parse(JSON.parse((await deliver(hostile)).body));
    // Only the provider's own tags: bold labels and the one link to the host page.
    for (const tag of tags(text)) expect(tag, tag).toMatch(/^<\/?b>$|^<a href="https:\/\/portpressure\.example\.com\/[^"]*">$|^<\/a>$/);
    expect(tags(text).filter((t) => t.startsWith('<a '))).toHaveLength(1);
    expect(text).toContain('&lt;a href=&quot;https://evil.example&quot;&gt;click&lt;/a&gt; &amp;amp;');
    expect(text).toContain('&lt;b&gt;boss&lt;/b&gt;');
    expect(text).toContain('&lt;i&gt;x&lt;/i&gt; &amp; &quot;quoted&quot;');
    expect(text).not.toContain('\u202E');
  });

  it('keeps the text within the 4096-character limit with many long labels, every tag closed', async () => {
    const labels = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`label${i}`, '<'.repeat(50)]));
    const { text } = sendMessageSchema.parse(
      JSON.parse((await deliver(aFiringNotification({ host: { id: 'h', hostname: 'wide', labels } }))).body),
    );
    expect(text.length).toBeLessThanOrEqual(4096);
    const opened = tags(text).filter((t) => !t.startsWith('</')).length;
    const closed = tags(text).filter((t) => t.startsWith('</')).length;
    expect(opened).toBe(closed);
  });

  it('reports a Bot API refusal as a failed, non-retryable attempt without the token', async () => {
    receiver.enqueue({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}',
    });
    const outcome = await sendHttp(buildChannelRequest(telegramConfig(), aFiringNotification()), { timeoutMs: 5_000, allow: LOOPBACK });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.retryable).toBe(false);
    expect(outcome.error).toContain('HTTP 400');
    expect(outcome.error).not.toContain(BOT_TOKEN.split(':')[1]);
  });

  it('retries when the Bot API asks to slow down (429)', async () => {
    receiver.enqueue({
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '3' },
      body: '{"ok":false,"error_code":429}',
    });
    const outcome = await sendHttp(buildChannelRequest(telegramConfig(), aFiringNotification()), { timeoutMs: 5_000, allow: LOOPBACK });
    expect(outcome).toMatchObject({ ok: false, retryable: true });
  });

  it('refuses a malformed token or chat id with a message naming the setting', () => {
    const bad = channelConfigSchema.safeParse({ type: 'telegram', settings: { botToken: 'not-a-token', chatId: 'general' } });
    expect(bad.success).toBe(false);
    const message = bad.error?.message ?? '';
    expect(message).toContain('botToken');
    expect(message).toContain('chatId');
    expect(
      channelConfigSchema.safeParse({ type: 'telegram', settings: { botToken: BOT_TOKEN, chatId: '@portpressure_ops' } }).success,
    ).toBe(true);
  });

  it('masks the token in API answers and offers its form from the provider file', () => {
    const redacted = redactChannelConfig(telegramConfig());
    expect(JSON.stringify(redacted)).not.toContain(BOT_TOKEN.split(':')[1]);
    expect(redacted.settings).toMatchObject({ chatId: '-1001234567890' });
    const form = channelTypes().find((t) => t.type === 'telegram');
    expect(form?.displayName).toBe('Telegram');
    expect(form?.fields.map((f) => [f.key, f.secret])).toEqual([
      ['botToken', true],
      ['chatId', false],
      ['apiUrl', false],
    ]);
  });
});
