import { z } from 'zod';
import { renderFacts, renderSummary, renderTitle, truncate } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { escapeAngleMarkup, webhookUrlSchema, webhookUrlField, postJson, redactWebhookUrl } from './chat-provider.ts';
import { escapeNotification } from './markup-escape.ts';
import { visibleText } from '@portpressure/protocol';

export const slackSettingsSchema = z.object({
  /** Incoming webhook URL (https://hooks.slack.com/services/…); the path is the credential. */
  webhookUrl: webhookUrlSchema,
});
export type SlackSettings = z.infer<typeof slackSettingsSchema>;

// Block Kit limits from Slack's reference: header text 150, section text 3000, 10 fields of 2000.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const MAX_FIELDS = 10;

// Rule and start time go to the context line, leaving the fields for measurements.
const CONTEXT_LABELS = new Set(['Rule', 'Started']);

/** Slack incoming webhook: Block Kit `blocks` plus the top-level `text` Slack shows in notifications. */
export const slackProvider: ChatProvider<SlackSettings, 'slack'> = {
  name: 'slack',
  displayName: 'Slack',
  settingsSchema: slackSettingsSchema,
  fields: {
    webhookUrl: webhookUrlField('Incoming webhook URL, https://hooks.slack.com/services/…'),
  },
  build(raw, settings, options = {}) {
    const notification = escapeNotification(raw, visibleText);
    const title = renderTitle(notification);
    const summary = renderSummary(notification, options);
    const facts = renderFacts(notification, options);
    const fields = facts
      .filter((f) => !CONTEXT_LABELS.has(f.label))
      .slice(0, MAX_FIELDS)
      .map((f) => ({ type: 'mrkdwn', text: truncate(`*${f.label}*\n${escapeAngleMarkup(f.value)}`, FIELD_MAX) }));
    const context = facts
      .filter((f) => CONTEXT_LABELS.has(f.label))
      .map((f) => `${f.label}: ${escapeAngleMarkup(f.value)}`)
      .join(' · ');
    const link = `<${notification.hostUrl}|Open ${escapeAngleMarkup(notification.host.hostname)} in Portpressure>`;
    const payload = {
      text: truncate(escapeAngleMarkup(`${title}: ${summary}`), SECTION_MAX),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_MAX), emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: truncate(escapeAngleMarkup(summary), SECTION_MAX) } },
        { type: 'section', fields },
        { type: 'section', text: { type: 'mrkdwn', text: link } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(context, SECTION_MAX) }] },
      ],
    };
    return postJson(settings.webhookUrl, payload);
  },
  redact: redactWebhookUrl,
};
