import { describe, expect, it } from 'vitest';
import { aFiringNotification } from '../../../test/notifications/support/notification-factory.ts';
import type { ChatChannelConfig } from './index.ts';
import {
  buildChannelRequest,
  channelConfigSchema,
  chatProviders,
  getProvider,
  NotificationProviderError,
  ProviderRegistry,
  providerRegistry,
  redactChannelConfig,
  restoreRedactedSecrets,
} from './index.ts';
import { slackProvider } from './slack.ts';

// One configuration per provider, each carrying secrets that redaction must hide.
const configs: ChatChannelConfig[] = [
  { type: 'slack', settings: { webhookUrl: 'https://hooks.slack.com/services/T01/B02/slackSECRET' } },
  {
    type: 'discord',
    settings: { webhookUrl: 'https://discord.com/api/webhooks/123/discordSECRET', username: 'Portpressure' },
  },
  { type: 'teams', settings: { webhookUrl: 'https://prod.westeurope.logic.azure.com/workflows/abc?sig=teamsSECRET' } },
  { type: 'mattermost', settings: { webhookUrl: 'https://mm.example.com/hooks/mattermostSECRET', channel: 'ops' } },
  {
    type: 'google-chat',
    settings: {
      webhookUrl: 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=gkeySECRET&token=gtokSECRET',
      format: 'cards',
      threadByIncident: true,
    },
  },
  { type: 'webhook', settings: { webhookUrl: 'https://hooks.example.com/pp/pathSECRET', secret: 'sharedSECRET-0123456789' } },
];

function configOf(type: ChatChannelConfig['type']): ChatChannelConfig {
  const config = configs.find((c) => c.type === type);
  if (config === undefined) throw new Error(`no ${type} config in the fixture`);
  return config;
}

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof NotificationProviderError ? err.code : `not a provider error: ${String(err)}`;
  }
  return undefined;
}

describe('provider registry', () => {
  it('lists every provider once, with the names channel configs use', () => {
    const names = providerRegistry.list().map((p) => p.name);
    expect(names).toEqual([
      'slack',
      'discord',
      'teams',
      'mattermost',
      'google-chat',
      'webhook',
      'pagerduty',
      'opsgenie',
      'alertmanager',
      'email',
      'telegram',
    ]);
    for (const config of configs) expect(names).toContain(config.type);
  });

  it('refuses two providers with the same name at construction', () => {
    const impostor = { ...slackProvider, displayName: 'Another Slack' };
    expect(errorCode(() => new ProviderRegistry([...chatProviders, impostor]))).toBe('DUPLICATE_PROVIDER');
  });

  it('answers an unknown provider name with a coded error', () => {
    expect(errorCode(() => getProvider('carrier-pigeon'))).toBe('UNKNOWN_PROVIDER');
    expect(providerRegistry.has('carrier-pigeon')).toBe(false);
    expect(getProvider('teams').displayName).toBe('Microsoft Teams');
  });

  it('re-validates stored settings before building, refusing a malformed row', () => {
    const code = errorCode(() => providerRegistry.build({ type: 'slack', settings: { webhookUrl: 'ftp://x/y' } }, aFiringNotification()));
    expect(code).toBe('INVALID_SETTINGS');
  });

  it('builds a POST to the configured URL for every provider', () => {
    for (const config of configs) {
      const request = buildChannelRequest(config, aFiringNotification());
      expect(request.method).toBe('POST');
      expect(new URL(request.url).origin).toBe(new URL(config.settings.webhookUrl).origin);
      expect(() => JSON.parse(request.body) as unknown).not.toThrow();
    }
  });
});

describe('channelConfigSchema', () => {
  it('accepts each provider configuration', () => {
    for (const config of configs) expect(channelConfigSchema.parse(config)).toEqual(config);
  });

  it('fills Google Chat defaults: cards, threaded by incident', () => {
    const parsed = channelConfigSchema.parse({
      type: 'google-chat',
      settings: { webhookUrl: 'https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t' },
    });
    expect(parsed.settings).toMatchObject({ format: 'cards', threadByIncident: true });
  });

  it.each([
    ['a non-URL webhook', { type: 'slack', settings: { webhookUrl: 'hooks.slack.com/services/x' } }],
    ['a non-http scheme', { type: 'discord', settings: { webhookUrl: 'ftp://discord.com/api/webhooks/1/x' } }],
    ['a javascript: URL', { type: 'teams', settings: { webhookUrl: 'javascript:alert(1)' } }],
    ['a short shared secret', { type: 'webhook', settings: { webhookUrl: 'https://h.example.com/', secret: 'short' } }],
    ['an unknown type', { type: 'pager', settings: { webhookUrl: 'https://h.example.com/' } }],
    ['missing settings', { type: 'mattermost' }],
  ])('refuses %s', (_what, input) => {
    expect(channelConfigSchema.safeParse(input).success).toBe(false);
  });
});

describe('redaction', () => {
  it.each(configs.map((c) => [c.type, c] as const))('never returns the %s secrets', (_type, config) => {
    const redacted = JSON.stringify(redactChannelConfig(config));
    expect(redacted).not.toContain('SECRET');
    expect(redacted).toContain(new URL(config.settings.webhookUrl).host);
  });

  it('keeps settings that are not secret', () => {
    const discord = redactChannelConfig(configOf('discord'));
    expect(discord.settings).toMatchObject({ username: 'Portpressure' });
    const mattermost = redactChannelConfig(configOf('mattermost'));
    expect(mattermost.settings).toMatchObject({ channel: 'ops' });
  });

  it('restores stored secrets an edit form sent back masked, and keeps ones the user changed', () => {
    const stored = configOf('webhook');
    const masked = redactChannelConfig(stored);
    const unchanged = restoreRedactedSecrets({ type: masked.type, settings: { ...masked.settings } }, stored);
    expect(channelConfigSchema.parse(unchanged)).toEqual(stored);

    const edited = restoreRedactedSecrets(
      { type: masked.type, settings: { ...masked.settings, webhookUrl: 'https://new.example.com/hook/NEW' } },
      stored,
    );
    expect(channelConfigSchema.parse(edited).settings).toEqual({
      webhookUrl: 'https://new.example.com/hook/NEW',
      secret: 'sharedSECRET-0123456789',
    });
  });

  it('does not carry secrets over to a channel whose type changed', () => {
    const stored = configOf('slack');
    const submitted = { type: 'discord', settings: { webhookUrl: 'https://hooks.slack.com/***' } };
    expect(restoreRedactedSecrets(submitted, stored)).toEqual(submitted);
  });
});
