import { z } from 'zod';
import { renderFacts, renderSummary, renderTitle, truncate } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { notificationColor, webhookUrlSchema, webhookUrlField, postJson, redactWebhookUrl, optionalField } from './chat-provider.ts';
import { escapeNotification, escapeDiscord } from './markup-escape.ts';

export const discordSettingsSchema = z.object({
  /** Execute-webhook URL (https://discord.com/api/webhooks/{id}/{token}); the token is the credential. */
  webhookUrl: webhookUrlSchema,
  /** Overrides the webhook's default name. */
  username: z.string().min(1).max(80).optional(),
  avatarUrl: z.url({ protocol: /^https?$/ }).optional(),
});
export type DiscordSettings = z.infer<typeof discordSettingsSchema>;

// Embed limits from Discord's reference: title 256, description 4096, 25 fields, name 256, value 1024.
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const MAX_FIELDS = 25;
const FIELD_NAME_MAX = 256;
const FIELD_VALUE_MAX = 1024;
const FOOTER_MAX = 2048;

// Short values sit side by side; the tuple and labels need a whole row to stay readable.
const WIDE_LABELS = new Set(['Labels', 'Tuple', 'Runs out', 'Rule']);

/** Discord execute-webhook: one embed coloured by severity (green once resolved). */
export const discordProvider: ChatProvider<DiscordSettings, 'discord'> = {
  name: 'discord',
  displayName: 'Discord',
  settingsSchema: discordSettingsSchema,
  fields: {
    webhookUrl: webhookUrlField('Channel webhook URL, https://discord.com/api/webhooks/…'),
    username: optionalField('Bot name', 'text'),
    avatarUrl: optionalField('Avatar URL', 'url'),
  },
  build(raw, settings, options = {}) {
    const notification = escapeNotification(raw, escapeDiscord);
    const fields = renderFacts(notification, options)
      .slice(0, MAX_FIELDS)
      .map((f) => ({
        name: truncate(f.label, FIELD_NAME_MAX),
        value: truncate(f.value, FIELD_VALUE_MAX),
        inline: !WIDE_LABELS.has(f.label),
      }));
    const payload = {
      ...(settings.username === undefined ? {} : { username: settings.username }),
      ...(settings.avatarUrl === undefined ? {} : { avatar_url: settings.avatarUrl }),
      embeds: [
        {
          title: truncate(renderTitle(notification), TITLE_MAX),
          description: truncate(renderSummary(notification, options), DESCRIPTION_MAX),
          url: notification.hostUrl,
          color: Number.parseInt(notificationColor(notification).slice(1), 16),
          fields,
          timestamp: notification.resolvedAt ?? notification.startedAt,
          footer: { text: truncate(`Portpressure · ${notification.groupKey}`, FOOTER_MAX) },
        },
      ],
      // Host and rule names are not ours to trust: a host named "@everyone" must not ping a server.
      allowed_mentions: { parse: [] },
    };
    return postJson(settings.webhookUrl, payload);
  },
  redact: redactWebhookUrl,
};
