import { visibleText } from '@portpressure/protocol';
import { z } from 'zod';
import { renderFacts, renderSummary, renderTitle, truncate } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { JSON_HEADERS, optionalField, secretField } from './chat-provider.ts';
import { escapeNotification } from './markup-escape.ts';

const TELEGRAM_API_URL = 'https://api.telegram.org';

/** What the form shows in place of a stored bot token. */
const REDACTED_TOKEN = '***';

export const telegramSettingsSchema = z.object({
  /** The token @BotFather gives, `<bot id>:<secret>`; it is the whole credential and sits in the URL path. */
  botToken: z.string().regex(/^\d{1,20}:[\w-]{20,100}$/, 'botToken must be a Telegram bot token, <bot id>:<secret> from @BotFather'),
  /** A numeric chat id (groups and channels are negative) or a public channel's @username. */
  chatId: z
    .string()
    .trim()
    .regex(/^(-?\d{1,20}|@[A-Za-z]\w{3,31})$/, 'chatId must be a numeric chat id such as -1001234567890 or a channel @username'),
  /** The Bot API server; a self-hosted one (telegram-bot-api) or the default cloud API. */
  apiUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .max(512)
    .default(TELEGRAM_API_URL)
    .transform((u) => u.replace(/\/+$/, '')),
});
export type TelegramSettings = z.infer<typeof telegramSettingsSchema>;

/** Bot API `sendMessage` body (the fields Portpressure sets). */
export interface TelegramSendMessage {
  chat_id: string;
  text: string;
  parse_mode: 'HTML';
  link_preview_options: { is_disabled: boolean };
}

/**
 * Telegram's HTML parse mode: every `<`, `>` and `&` that is not markup must be an entity, and
 * those three entities plus `&quot;` are the only ones it accepts, so this is the whole escape.
 */
function escapeTelegramHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

// sendMessage takes at most 4096 characters after entity parsing; each part is cut well below.
const SUMMARY_MAX = 1000;
const FACT_MAX = 300;
const TEXT_MAX = 4096;

/**
 * Telegram Bot API `sendMessage` in HTML mode. User text (host names, labels, rule names) is made
 * visible and escaped, so `<a href=…>` or `<b>` in a host name arrives as those characters.
 */
export const telegramProvider: ChatProvider<TelegramSettings, 'telegram'> = {
  name: 'telegram',
  displayName: 'Telegram',
  settingsSchema: telegramSettingsSchema,
  fields: {
    botToken: secretField('Bot token', 'From @BotFather, 123456789:AA…'),
    chatId: {
      label: 'Chat ID',
      input: 'text',
      required: true,
      secret: false,
      help: 'Numeric id (-100… for groups and channels) or @channelname',
    },
    apiUrl: optionalField('Bot API URL', 'url', { help: 'Default https://api.telegram.org' }),
  },
  build(raw, settings, options = {}) {
    const notification = escapeNotification(raw, visibleText);
    const lines = [
      `<b>${escapeTelegramHtml(renderTitle(notification))}</b>`,
      escapeTelegramHtml(truncate(renderSummary(notification, options), SUMMARY_MAX)),
      '',
      ...renderFacts(notification, options).map(
        (f) => `<b>${escapeTelegramHtml(f.label)}:</b> ${escapeTelegramHtml(truncate(f.value, FACT_MAX))}`,
      ),
      '',
      `<a href="${escapeTelegramHtml(notification.hostUrl)}">Open in Portpressure</a>`,
    ];
    let text = lines.join('\n');
    // Many labels could still exceed the limit; dropping whole facts keeps every tag closed.
    while (text.length > TEXT_MAX && lines.length > 4) {
      lines.splice(lines.length - 3, 1);
      text = lines.join('\n');
    }
    const message: TelegramSendMessage = {
      chat_id: settings.chatId,
      text,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    };
    return {
      url: `${settings.apiUrl}/bot${settings.botToken}/sendMessage`,
      method: 'POST',
      headers: { ...JSON_HEADERS },
      body: JSON.stringify(message),
    };
  },
  redact(settings) {
    return { ...settings, botToken: REDACTED_TOKEN };
  },
};
