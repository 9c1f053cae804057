/**
 * The providers the server has, one line each, in the order the channel form lists them: adding a
 * provider is its file plus its line here. Everything else (channel config type and validation,
 * redaction, the settings form, the accepted names) derives from this list in index.ts.
 */
export const registeredProviders = [
  (await import('./slack.ts')).slackProvider,
  (await import('./discord.ts')).discordProvider,
  (await import('./teams.ts')).teamsProvider,
  (await import('./mattermost.ts')).mattermostProvider,
  (await import('./google-chat.ts')).googleChatProvider,
  (await import('./webhook.ts')).webhookProvider,
  (await import('./pagerduty.ts')).pagerdutyProvider,
  (await import('./opsgenie.ts')).opsgenieProvider,
  (await import('./alertmanager.ts')).alertmanagerProvider,
  (await import('./email.ts')).emailProvider,
  (await import('./telegram.ts')).telegramProvider,
] as const;
