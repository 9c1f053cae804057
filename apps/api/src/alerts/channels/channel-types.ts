import type { ChannelField, ChannelType, ChannelTypeInfo } from '@portpressure/protocol';
import { providerRegistry } from '../../notifications/providers/index.ts';

const webhookUrl = (help: string): ChannelField => ({
  key: 'webhookUrl',
  label: 'Webhook URL',
  input: 'url',
  required: true,
  secret: true,
  help,
});

/**
 * The settings form of each provider. The providers' zod schemas stay the validation; this only
 * says how to ask for each field (a spec keeps the keys in step with the schemas).
 */
export const CHANNEL_FIELDS: Record<ChannelType, ChannelField[]> = {
  slack: [webhookUrl('Incoming webhook URL, https://hooks.slack.com/services/…')],
  discord: [
    webhookUrl('Channel webhook URL, https://discord.com/api/webhooks/…'),
    { key: 'username', label: 'Bot name', input: 'text', required: false, secret: false },
    { key: 'avatarUrl', label: 'Avatar URL', input: 'url', required: false, secret: false },
  ],
  teams: [webhookUrl('Workflows "When a Teams webhook request is received" URL')],
  mattermost: [
    webhookUrl('Incoming webhook URL, https://mattermost.example/hooks/…'),
    { key: 'channel', label: 'Channel override', input: 'text', required: false, secret: false },
    { key: 'username', label: 'Bot name', input: 'text', required: false, secret: false },
    { key: 'iconUrl', label: 'Icon URL', input: 'url', required: false, secret: false },
  ],
  'google-chat': [
    webhookUrl('Space webhook URL, https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…'),
    { key: 'format', label: 'Message format', input: 'select', required: false, secret: false, options: ['cards', 'text'] },
    { key: 'threadByIncident', label: 'Reply in the incident\'s thread', input: 'boolean', required: false, secret: false },
  ],
  webhook: [
    webhookUrl('Any HTTP(S) endpoint; receives the signed JSON notification'),
    {
      key: 'secret',
      label: 'Signing secret',
      input: 'secret',
      required: true,
      secret: true,
      help: 'At least 16 characters; signs X-Portpressure-Signature (HMAC-SHA256 of "timestamp.body")',
    },
  ],

  pagerduty: [
    {
      key: 'routingKey',
      label: 'Integration key',
      input: 'secret',
      required: true,
      secret: true,
      help: 'Routing key of an Events API v2 integration on the PagerDuty service',
    },
    { key: 'eventsUrl', label: 'Events API URL', input: 'url', required: false, secret: false, help: 'Default https://events.pagerduty.com/v2/enqueue' },
  ],
  opsgenie: [
    { key: 'apiKey', label: 'API key', input: 'secret', required: true, secret: true, help: 'Key of an Opsgenie API integration' },
    { key: 'apiUrl', label: 'API URL', input: 'url', required: false, secret: false, help: 'Default https://api.opsgenie.com; EU: https://api.eu.opsgenie.com' },
    { key: 'tags', label: 'Extra tags', input: 'text', required: false, secret: false, help: 'Comma-separated' },
  ],
  alertmanager: [
    webhookUrl('Receiver URL; gets the Alertmanager webhook payload (version 4)'),
    { key: 'bearerToken', label: 'Bearer token', input: 'secret', required: false, secret: true, help: 'Sent as Authorization: Bearer … when set' },
  ],
  email: [
    { key: 'host', label: 'SMTP server', input: 'text', required: true, secret: false },
    { key: 'port', label: 'Port', input: 'text', required: false, secret: false, help: 'Default 587 (465 for TLS)' },
    { key: 'security', label: 'Security', input: 'select', required: false, secret: false, options: ['starttls', 'tls', 'none'] },
    { key: 'username', label: 'User name', input: 'text', required: false, secret: false },
    { key: 'password', label: 'Password', input: 'secret', required: false, secret: true },
    { key: 'from', label: 'From', input: 'text', required: true, secret: false },
    { key: 'to', label: 'To', input: 'text', required: true, secret: false, help: 'Addresses, comma-separated' },
    { key: 'allowSelfSigned', label: 'Accept a self-signed certificate', input: 'boolean', required: false, secret: false },
  ],
};

export function channelTypes(): ChannelTypeInfo[] {
  return providerRegistry.list().map((p) => {
    const type = p.name as ChannelType;
    return { type, displayName: p.displayName, fields: CHANNEL_FIELDS[type] };
  });
}
