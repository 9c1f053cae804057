import { z } from 'zod';
import { redactUrl } from '../http-sender.ts';
import { renderFacts, renderSummary, renderTitle, truncate } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { webhookUrlSchema, postJson, optionalField, secretField } from './chat-provider.ts';
import { incidentKey } from './incident-key.ts';
import { REDACTED_SECRET } from './webhook.ts';

const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const pagerdutySettingsSchema = z.object({
  /** Integration key of an Events API v2 integration on a PagerDuty service (32 characters). */
  routingKey: z.string().regex(/^[\w-]{20,64}$/, 'routingKey must be the 32-character integration key of an Events API v2 integration'),
  /** The Events API endpoint; change it only for a relay or a regional endpoint. */
  eventsUrl: webhookUrlSchema.default(PAGERDUTY_EVENTS_URL),
});
export type PagerdutySettings = z.infer<typeof pagerdutySettingsSchema>;

/** PagerDuty Events API v2 event, as documented by PagerDuty (payload is needed only to trigger). */
export interface PagerdutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  client?: string;
  client_url?: string;
  links?: Array<{ href: string; text: string }>;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, string>;
  };
}

const SUMMARY_MAX = 1024;

/**
 * Firing and reminders trigger (PagerDuty folds a trigger with an open dedup_key into its
 * incident), resolved resolves, all with the incident's key. A test triggers an `info` event of
 * its own key.
 */
export const pagerdutyProvider: ChatProvider<PagerdutySettings, 'pagerduty'> = {
  name: 'pagerduty',
  displayName: 'PagerDuty (Events API v2)',
  settingsSchema: pagerdutySettingsSchema,
  fields: {
    routingKey: secretField('Integration key', 'Routing key of an Events API v2 integration on the PagerDuty service'),
    eventsUrl: optionalField('Events API URL', 'url', { help: 'Default https://events.pagerduty.com/v2/enqueue' }),
  },
  build(notification, settings, options = {}) {
    const dedupKey = incidentKey(notification);
    const event: PagerdutyEvent =
      notification.kind === 'resolved'
        ? { routing_key: settings.routingKey, event_action: 'resolve', dedup_key: dedupKey }
        : {
            routing_key: settings.routingKey,
            event_action: 'trigger',
            dedup_key: dedupKey,
            client: 'Portpressure',
            client_url: notification.hostUrl,
            links: [{ href: notification.hostUrl, text: `${notification.host.hostname} in Portpressure` }],
            payload: {
              summary: truncate(`${renderTitle(notification)}: ${renderSummary(notification, options)}`, SUMMARY_MAX),
              source: notification.host.hostname,
              severity: notification.kind === 'test' ? 'info' : notification.severity,
              timestamp: notification.startedAt,
              ...(notification.tuple === undefined
                ? {}
                : { component: `${notification.tuple.remoteAddress}:${notification.tuple.remotePort}` }),
              group: notification.ruleName,
              class: notification.ruleKind,
              custom_details: Object.fromEntries(renderFacts(notification, options).map((f) => [f.label, f.value])),
            },
          };
    return postJson(settings.eventsUrl, event);
  },
  redact(settings) {
    // The key travels in the body; the endpoint is public knowledge, unless someone put a credential in it.
    const url = new URL(settings.eventsUrl);
    return {
      routingKey: REDACTED_SECRET,
      eventsUrl: url.username !== '' || url.search !== '' ? redactUrl(settings.eventsUrl) : settings.eventsUrl,
    };
  },
};
