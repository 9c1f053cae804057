import { z } from 'zod';
import { renderFacts, renderSummary, renderText, renderTitle, truncate } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { JSON_HEADERS, optionalField, secretField } from './chat-provider.ts';
import { incidentKey } from './incident-key.ts';
import { REDACTED_SECRET } from './webhook.ts';

const OPSGENIE_API_URL = 'https://api.opsgenie.com';

export const opsgenieSettingsSchema = z.object({
  /** Key of an API integration (Opsgenie sends it back nowhere; it is the credential). */
  apiKey: z.string().regex(/^[\w-]{16,128}$/, 'apiKey must be the key of an Opsgenie API integration'),
  /** https://api.opsgenie.com, or https://api.eu.opsgenie.com for the EU instance. */
  apiUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .max(512)
    .default(OPSGENIE_API_URL)
    .transform((u) => u.replace(/\/+$/, '')),
  /** Extra tags, comma-separated, added to every alert. */
  tags: z.string().max(500).optional(),
});
export type OpsgenieSettings = z.infer<typeof opsgenieSettingsSchema>;

/** Opsgenie Alert API `POST /v2/alerts` body (limits from its reference). */
export interface OpsgenieCreateAlert {
  message: string;
  alias: string;
  description: string;
  details: Record<string, string>;
  priority: 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
  source: string;
  entity: string;
  tags: string[];
}

/** Opsgenie Alert API `POST /v2/alerts/{alias}/close?identifierType=alias` body. */
export interface OpsgenieCloseAlert {
  source: string;
  note: string;
}

/**
 * Firing and reminders create an alert under the incident's alias (Opsgenie counts a create for
 * an open alias on that alert instead of opening another); resolved closes it by alias.
 */
export const opsgenieProvider: ChatProvider<OpsgenieSettings, 'opsgenie'> = {
  name: 'opsgenie',
  displayName: 'Opsgenie',
  settingsSchema: opsgenieSettingsSchema,
  fields: {
    apiKey: secretField('API key', 'Key of an Opsgenie API integration'),
    apiUrl: optionalField('API URL', 'url', { help: 'Default https://api.opsgenie.com; EU: https://api.eu.opsgenie.com' }),
    tags: optionalField('Extra tags', 'text', { help: 'Comma-separated' }),
  },
  build(notification, settings, options = {}) {
    const alias = incidentKey(notification);
    const headers = { ...JSON_HEADERS, authorization: `GenieKey ${settings.apiKey}` };
    const apiUrl = settings.apiUrl;
    if (notification.kind === 'resolved') {
      const close: OpsgenieCloseAlert = { source: 'Portpressure', note: truncate(renderSummary(notification, options), 25_000) };
      return {
        url: `${apiUrl}/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`,
        method: 'POST',
        headers,
        body: JSON.stringify(close),
      };
    }
    const extraTags = (settings.tags ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const create: OpsgenieCreateAlert = {
      message: truncate(`${renderTitle(notification)} on ${notification.host.hostname}`, 130),
      alias,
      description: truncate(renderText(notification, options), 15_000),
      details: Object.fromEntries(renderFacts(notification, options).map((f) => [f.label, truncate(f.value, 8_000)])),
      priority: notification.kind === 'test' ? 'P5' : notification.severity === 'critical' ? 'P1' : 'P3',
      source: 'Portpressure',
      entity: truncate(notification.host.hostname, 512),
      tags: ['portpressure', notification.severity, notification.ruleKind, ...extraTags].slice(0, 20).map((t) => truncate(t, 50)),
    };
    return { url: `${apiUrl}/v2/alerts`, method: 'POST', headers, body: JSON.stringify(create) };
  },
  redact(settings) {
    return { ...settings, apiKey: REDACTED_SECRET };
  },
};
