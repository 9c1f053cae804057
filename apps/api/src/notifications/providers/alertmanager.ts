import { createHash } from 'node:crypto';
import { z } from 'zod';
import { redactUrl } from '../http-sender.ts';
import { formatPercent, renderSummary, renderTitle } from '../notification.ts';
import type { ChatProvider } from './chat-provider.ts';
import { JSON_HEADERS, webhookUrlSchema, webhookUrlField } from './chat-provider.ts';
import { incidentKey } from './incident-key.ts';
import { REDACTED_SECRET } from './webhook.ts';

export const alertmanagerSettingsSchema = z.object({
  /** The receiver's URL, as a `webhook_configs` entry of Alertmanager would call it. */
  webhookUrl: webhookUrlSchema,
  /** Sent as `Authorization: Bearer …` when set (Alertmanager's http_config.authorization). */
  bearerToken: z.string().min(1).max(4096).optional(),
});
export type AlertmanagerSettings = z.infer<typeof alertmanagerSettingsSchema>;

/** One alert of Alertmanager's webhook payload (version 4). */
export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook payload (version 4), so receivers written for Alertmanager accept it. */
export interface AlertmanagerPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

/** Alertmanager's "no end yet" time, which its receivers expect on firing alerts. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Label values are strings; a label name must match [a-zA-Z_][a-zA-Z0-9_]*. */
function labelName(key: string): string {
  const cleaned = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/**
 * Each notification is one group with one alert, labelled like a Prometheus alert (alertname,
 * severity, instance…). The fingerprint is the incident's key, so a receiver pairs the resolved
 * message with its firing one as it would with Alertmanager's.
 */
export const alertmanagerProvider: ChatProvider<AlertmanagerSettings, 'alertmanager'> = {
  name: 'alertmanager',
  displayName: 'Webhook (Alertmanager format)',
  settingsSchema: alertmanagerSettingsSchema,
  fields: {
    webhookUrl: webhookUrlField('Receiver URL; gets the Alertmanager webhook payload (version 4)'),
    bearerToken: {
      label: 'Bearer token',
      input: 'secret',
      required: false,
      secret: true,
      help: 'Sent as Authorization: Bearer … when set',
    },
  },
  build(notification, settings, options = {}) {
    const status = notification.kind === 'resolved' ? 'resolved' : 'firing';
    const labels: Record<string, string> = {
      alertname: notification.ruleName,
      severity: notification.severity,
      instance: notification.host.hostname,
      host_id: notification.host.id,
      rule_kind: notification.ruleKind,
    };
    if (notification.kind === 'test') labels.test = 'true';
    if (notification.tuple !== undefined) {
      labels.remote_address = notification.tuple.remoteAddress;
      labels.remote_port = String(notification.tuple.remotePort);
      labels.local_address = notification.tuple.localAddress;
    }
    for (const [key, value] of Object.entries(notification.host.labels)) {
      const name = labelName(`label_${key}`);
      labels[name] ??= value;
    }
    const annotations: Record<string, string> = {
      summary: renderTitle(notification),
      description: renderSummary(notification, options),
    };
    if (notification.pressure !== undefined) annotations.pressure = formatPercent(notification.pressure);
    const key = incidentKey(notification);
    const alert: AlertmanagerAlert = {
      status,
      labels,
      annotations,
      startsAt: notification.startedAt,
      endsAt: status === 'resolved' ? (notification.resolvedAt ?? new Date().toISOString()) : ZERO_TIME,
      generatorURL: notification.hostUrl,
      fingerprint: createHash('sha256').update(key).digest('hex').slice(0, 16),
    };
    const payload: AlertmanagerPayload = {
      version: '4',
      groupKey: `{}:{alertname=${JSON.stringify(notification.ruleName)}, incident=${JSON.stringify(key)}}`,
      truncatedAlerts: 0,
      status,
      receiver: 'portpressure',
      groupLabels: { alertname: notification.ruleName },
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: new URL(notification.hostUrl).origin,
      alerts: [alert],
    };
    const headers: Record<string, string> = { ...JSON_HEADERS };
    if (settings.bearerToken !== undefined) headers.authorization = `Bearer ${settings.bearerToken}`;
    return { url: settings.webhookUrl, method: 'POST', headers, body: JSON.stringify(payload) };
  },
  redact(settings) {
    return {
      webhookUrl: redactUrl(settings.webhookUrl),
      ...(settings.bearerToken === undefined ? {} : { bearerToken: REDACTED_SECRET }),
    };
  },
};
