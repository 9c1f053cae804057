import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertNotification } from '../notification.ts';
import { renderFacts, renderSummary, renderText, renderTitle } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { escapeGoogleChatText, escapeNotification } from './markup-escape.ts';
import {
  escapeAngleMarkup,
  JSON_HEADERS,
  notificationColor,
  webhookUrlSchema,
  webhookUrlField,
  redactWebhookUrl,
  optionalField,
} from './chat-provider.ts';

export const googleChatSettingsSchema = z.object({
  /** Space webhook URL (https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…). */
  webhookUrl: webhookUrlSchema,
  /** `cards` sends a cardsV2 card; `text` a plain message for spaces that prefer it. */
  format: z.enum(['cards', 'text']).default('cards'),
  /** Posts an incident's resolution and reminders as replies in the thread its firing started. */
  threadByIncident: z.boolean().default(true),
});
export type GoogleChatSettings = z.infer<typeof googleChatSettingsSchema>;

/** Same group key, same thread; hashed so the key's addresses and odd characters stay out of it. */
export function googleChatThreadKey(groupKey: string): string {
  return `portpressure-${createHash('sha256').update(groupKey).digest('hex').slice(0, 32)}`;
}

function buildCard(n: AlertNotification, now: Date | undefined) {
  const options = now === undefined ? {} : { now };
  const color = notificationColor(n);
  return {
    header: { title: renderTitle(n), subtitle: `Portpressure · ${n.ruleKind} rule` },
    sections: [
      {
        widgets: [
          {
            textParagraph: {
              text: `<font color="${color}"><b>${escapeAngleMarkup(renderSummary(n, options))}</b></font>`,
            },
          },
        ],
      },
      {
        widgets: renderFacts(n, options).map((f) => ({
          decoratedText: { topLabel: escapeAngleMarkup(f.label), text: escapeAngleMarkup(f.value), wrapText: true },
        })),
      },
      {
        widgets: [
          {
            buttonList: {
              buttons: [{ text: `Open ${n.host.hostname}`, onClick: { openLink: { url: n.hostUrl } } }],
            },
          },
        ],
      },
    ],
  };
}

/**
 * Google Chat incoming webhook. Cards go in `cardsV2` with `fallbackText` for notifications;
 * threading uses `thread.threadKey` in the body and `messageReplyOption` on the URL, as the
 * Chat API's messages.create documents.
 */
export const googleChatProvider: ChatProvider<GoogleChatSettings, 'google-chat'> = {
  name: 'google-chat',
  displayName: 'Google Chat',
  settingsSchema: googleChatSettingsSchema,
  fields: {
    webhookUrl: webhookUrlField('Space webhook URL, https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…'),
    format: optionalField('Message format', 'select', { options: ['cards', 'text'] }),
    threadByIncident: optionalField("Reply in the incident's thread", 'boolean'),
  },
  build(raw, settings, options = {}) {
    // Text messages have their own markup (<users/all>, <url|text>); a card's header, button and
    // fallback text are not HTML-escaped by the card, so the brackets become look-alikes everywhere.
    const notification = escapeNotification(raw, escapeGoogleChatText);
    const content =
      settings.format === 'text'
        ? { text: `${renderText(notification, options)}\n<${notification.hostUrl}|Open in Portpressure>` }
        : {
            fallbackText: `${renderTitle(notification)}: ${renderSummary(notification, options)}`,
            cardsV2: [{ cardId: 'portpressure-alert', card: buildCard(notification, options.now) }],
          };
    const url = new URL(settings.webhookUrl);
    const thread: { thread?: { threadKey: string } } = {};
    if (settings.threadByIncident) {
      url.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
      thread.thread = { threadKey: googleChatThreadKey(notification.groupKey) };
    }
    return {
      url: url.toString(),
      method: 'POST',
      // Google's webhook samples send an explicit UTF-8 charset.
      headers: { ...JSON_HEADERS, 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify({ ...content, ...thread }),
    };
  },
  redact: redactWebhookUrl,
};
