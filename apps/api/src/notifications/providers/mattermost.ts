import { z } from 'zod';
import { renderFacts, renderSummary, renderText, renderTitle } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { notificationColor, webhookUrlSchema, webhookUrlField, postJson, redactWebhookUrl, optionalField } from './chat-provider.ts';
import { escapeNotification, escapeMattermost } from './markup-escape.ts';

export const mattermostSettingsSchema = z.object({
  /** Incoming webhook URL (https://your-mattermost/hooks/{key}); the key is the credential. */
  webhookUrl: webhookUrlSchema,
  /** Overrides the webhook's channel; only honoured when the server allows it. */
  channel: z.string().min(1).max(64).optional(),
  username: z.string().min(1).max(64).optional(),
  iconUrl: z.url({ protocol: /^https?$/ }).optional(),
});
export type MattermostSettings = z.infer<typeof mattermostSettingsSchema>;

const WIDE_LABELS = new Set(['Labels', 'Tuple', 'Runs out', 'Rule']);

/** Mattermost incoming webhook with one Slack-compatible message attachment. */
export const mattermostProvider: ChatProvider<MattermostSettings, 'mattermost'> = {
  name: 'mattermost',
  displayName: 'Mattermost',
  settingsSchema: mattermostSettingsSchema,
  fields: {
    webhookUrl: webhookUrlField('Incoming webhook URL, https://mattermost.example/hooks/…'),
    channel: optionalField('Channel override', 'text'),
    username: optionalField('Bot name', 'text'),
    iconUrl: optionalField('Icon URL', 'url'),
  },
  build(raw, settings, options = {}) {
    const notification = escapeNotification(raw, escapeMattermost);
    const payload = {
      ...(settings.channel === undefined ? {} : { channel: settings.channel }),
      ...(settings.username === undefined ? {} : { username: settings.username }),
      ...(settings.iconUrl === undefined ? {} : { icon_url: settings.iconUrl }),
      attachments: [
        {
          // Mattermost requires `fallback`: it is what notifications and plain clients show.
          fallback: renderText(notification, options),
          color: notificationColor(notification),
          title: renderTitle(notification),
          title_link: notification.hostUrl,
          text: renderSummary(notification, options),
          fields: renderFacts(notification, options).map((f) => ({
            short: !WIDE_LABELS.has(f.label),
            title: f.label,
            value: f.value,
          })),
          footer: 'Portpressure',
        },
      ],
    };
    return postJson(settings.webhookUrl, payload);
  },
  redact: redactWebhookUrl,
};
