import type { AlertMeasurement, AlertNamespace, AlertRuleKind, AlertSeverity, AlertTuple, Labels } from '@portpressure/protocol';
import { alertNotificationSchema, type AlertNotification, type NotificationKind } from '../../notifications/notification.ts';

/** What a notification says about its incident; the engine and the ticker both fill it. */
export interface IncidentForNotification {
  id: string;
  ruleName: string;
  ruleKind: AlertRuleKind;
  severity: AlertSeverity;
  groupKey: string;
  tuple: AlertTuple | null;
  /** The namespace when not the host's own. */
  namespace: AlertNamespace | null;
  startedAt: Date;
  resolvedAt: Date | null;
  latest: AlertMeasurement;
  reminderCount: number;
}

export interface HostForNotification {
  id: string;
  hostname: string;
  labels: Labels;
}

/**
 * The notification id is derived from the incident and the transition, so the same transition can
 * never be queued twice (alert_deliveries is unique on notification id + channel) and a receiver
 * can drop a retry it already has.
 */
export function notificationId(incidentId: string, kind: Exclude<NotificationKind, 'test'>, reminder = 0): string {
  return kind === 'reminder' ? `${incidentId}:reminder:${reminder}` : `${incidentId}:${kind}`;
}

export function hostPageUrl(publicUrl: string, hostId: string): string {
  return `${publicUrl}/hosts/${encodeURIComponent(hostId)}`;
}

/** Builds (and validates) the provider-neutral message for one incident transition. */
export function buildIncidentNotification(
  kind: Exclude<NotificationKind, 'test'>,
  incident: IncidentForNotification,
  host: HostForNotification,
  publicUrl: string,
): AlertNotification {
  const m = incident.latest;
  const resolvedAt = kind === 'resolved' ? (incident.resolvedAt ?? new Date()) : undefined;
  return alertNotificationSchema.parse({
    id: notificationId(incident.id, kind, incident.reminderCount),
    kind,
    severity: incident.severity,
    ruleName: incident.ruleName,
    ruleKind: incident.ruleKind,
    groupKey: incident.groupKey,
    host: { id: host.id, hostname: host.hostname, labels: host.labels },
    ...(incident.tuple === null ? {} : { tuple: incident.tuple }),
    ...(incident.namespace === null ? {} : { namespace: incident.namespace }),
    ...(m.pressure === undefined ? {} : { pressure: m.pressure }),
    ...(m.used === undefined ? {} : { used: m.used }),
    ...(m.usable === undefined ? {} : { usable: m.usable }),
    ...(m.timeWaitShare === undefined ? {} : { timeWaitShare: m.timeWaitShare }),
    ...(m.exhaustsAt === undefined || kind === 'resolved' ? {} : { exhaustsAt: m.exhaustsAt }),
    ...(m.conntrack === undefined ? {} : { conntrack: m.conntrack }),
    ...(m.kernelEvidence === undefined || kind === 'resolved' ? {} : { kernelEvidence: m.kernelEvidence }),
    ...(m.egressGroup === undefined || m.destination === undefined || m.connections === undefined || m.limit === undefined
      ? {}
      : { egress: { group: m.egressGroup, destination: m.destination, connections: m.connections, limit: m.limit } }),
    startedAt: incident.startedAt.toISOString(),
    ...(resolvedAt === undefined
      ? {}
      : {
          resolvedAt: resolvedAt.toISOString(),
          durationSeconds: Math.max(0, (resolvedAt.getTime() - incident.startedAt.getTime()) / 1000),
        }),
    hostUrl: hostPageUrl(publicUrl, host.id),
  });
}

/** The message of a channel's "send test": a made-up critical tuple so every field renders. */
export function buildTestNotification(id: string, channelName: string, publicUrl: string, now: Date): AlertNotification {
  return alertNotificationSchema.parse({
    id,
    kind: 'test',
    severity: 'warning',
    ruleName: `Test of channel "${channelName}"`.slice(0, 200),
    ruleKind: 'pressure',
    groupKey: `test|${id}`,
    host: { id: 'test', hostname: 'portpressure-test', labels: {} },
    tuple: { protocol: 'tcp', localAddress: '192.0.2.10', remoteAddress: '192.0.2.20', remotePort: 5432 },
    pressure: 0.75,
    used: 21_000,
    usable: 28_000,
    timeWaitShare: 0.4,
    startedAt: now.toISOString(),
    hostUrl: publicUrl,
  });
}
