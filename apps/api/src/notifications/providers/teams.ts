import { z } from 'zod';
import type { AlertNotification } from '../notification.ts';
import { renderFacts, renderSummary, renderTitle } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { webhookUrlSchema, webhookUrlField, postJson, redactWebhookUrl } from './chat-provider.ts';
import { escapeNotification, escapeTeams } from './markup-escape.ts';

export const teamsSettingsSchema = z.object({
  /**
   * URL of a Teams Workflows "When a Teams webhook request is received" trigger (Power Automate);
   * its `sig` query parameter is the credential. Legacy Office 365 connector URLs are retired.
   */
  webhookUrl: webhookUrlSchema,
});
export type TeamsSettings = z.infer<typeof teamsSettingsSchema>;

/** Adaptive Card TextBlock colours are named, not hex. */
function titleColor(n: AlertNotification): 'Attention' | 'Warning' | 'Good' | 'Accent' {
  if (n.kind === 'resolved') return 'Good';
  if (n.kind === 'test') return 'Accent';
  return n.severity === 'critical' ? 'Attention' : 'Warning';
}

/**
 * Microsoft Teams via a Workflows webhook. Workflows accept Adaptive Cards only (not the old
 * MessageCard), wrapped as a message with one attachment of the adaptive card content type.
 */
export const teamsProvider: ChatProvider<TeamsSettings, 'teams'> = {
  name: 'teams',
  displayName: 'Microsoft Teams',
  settingsSchema: teamsSettingsSchema,
  fields: {
    webhookUrl: webhookUrlField('Workflows "When a Teams webhook request is received" URL'),
  },
  build(raw, settings, options = {}) {
    const notification = escapeNotification(raw, escapeTeams);
    const card = {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        {
          type: 'TextBlock',
          text: renderTitle(notification),
          weight: 'Bolder',
          size: 'Medium',
          color: titleColor(notification),
          wrap: true,
        },
        { type: 'TextBlock', text: renderSummary(notification, options), wrap: true },
        {
          type: 'FactSet',
          facts: renderFacts(notification, options).map((f) => ({ title: f.label, value: f.value })),
        },
      ],
      actions: [{ type: 'Action.OpenUrl', title: `Open ${notification.host.hostname}`, url: notification.hostUrl }],
      msteams: { width: 'Full' },
    };
    const payload = {
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
    };
    return postJson(settings.webhookUrl, payload);
  },
  redact: redactWebhookUrl,
};
