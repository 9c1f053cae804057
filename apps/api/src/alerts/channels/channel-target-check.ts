import type { ChannelConfig } from '../../notifications/providers/index.ts';
import { redactChannelConfig } from '../../notifications/providers/index.ts';
import { webhookTargetRefusal, type AddressAllowlist } from '../../security/address-guard.ts';
import { AlertsError } from '../alerts.errors.ts';

/**
 * Refuses a channel whose target names an internal address (see address-guard.ts): every URL
 * setting of any provider (`webhookUrl`, `eventsUrl`, `apiUrl`, …) and an SMTP server's `host`.
 */
export function checkChannelTarget(config: ChannelConfig, allow: AddressAllowlist): void {
  for (const [key, value] of Object.entries(config.settings)) {
    if (typeof value !== 'string') continue;
    const target = /url$/i.test(key) ? value : key === 'host' ? `smtp://${value.includes(':') ? `[${value}]` : value}` : undefined;
    if (target === undefined) continue;
    const reason = webhookTargetRefusal(target, allow);
    if (reason !== undefined) throw new AlertsError('INVALID_ALERT_CHANNEL', `settings.${key}: ${reason}`);
  }
}

/**
 * A signing secret belongs to the receiver it was shared with. Keeping it (the form sends the
 * masked value back) while pointing the channel at another URL would sign for the new receiver
 * with a secret only the old one knows, or hand the old receiver's secret to the new one.
 */
export function checkSecretFollowsUrl(submitted: { settings: Record<string, unknown> }, stored: ChannelConfig): void {
  const original: Record<string, unknown> = stored.settings;
  if (typeof original.secret !== 'string') return;
  const masked: Record<string, unknown> = redactChannelConfig(stored).settings;
  const url = submitted.settings.webhookUrl;
  const urlChanged = url !== undefined && url !== masked.webhookUrl && url !== original.webhookUrl;
  const secretKept = submitted.settings.secret === undefined || submitted.settings.secret === masked.secret;
  if (urlChanged && secretKept) {
    throw new AlertsError(
      'INVALID_ALERT_CHANNEL',
      'settings.secret: a new webhook URL needs a new secret; enter the secret of the new receiver',
    );
  }
}
