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
};

export function channelTypes(): ChannelTypeInfo[] {
  return providerRegistry.list().map((p) => {
    const type = p.name as ChannelType;
    return { type, displayName: p.displayName, fields: CHANNEL_FIELDS[type] };
  });
}
