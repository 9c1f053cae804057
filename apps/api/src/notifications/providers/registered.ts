/**
 * The providers the server has, one line each: adding a provider is its file plus its line here.
 * Everything else (channel config type and validation, redaction, the settings form, the accepted
 * names) derives from these exports in index.ts. The form lists them by display name.
 */
export { alertmanagerProvider } from './alertmanager.ts';
export { discordProvider } from './discord.ts';
export { emailProvider } from './email.ts';
export { googleChatProvider } from './google-chat.ts';
export { mattermostProvider } from './mattermost.ts';
export { opsgenieProvider } from './opsgenie.ts';
export { pagerdutyProvider } from './pagerduty.ts';
export { slackProvider } from './slack.ts';
export { teamsProvider } from './teams.ts';
export { webhookProvider } from './webhook.ts';
export { telegramProvider } from './telegram.ts';
