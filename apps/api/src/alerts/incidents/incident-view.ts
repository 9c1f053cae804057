import {
  alertMeasurementSchema,
  alertNamespaceSchema,
  alertRuleKindSchema,
  alertSeveritySchema,
  alertTupleSchema,
  labelsSchema,
  type AlertIncident,
  type AlertMeasurement,
  type Labels,
} from '@portpressure/protocol';
import type { HostForNotification, IncidentForNotification } from '../evaluation/notification-builder.ts';
import type { IncidentRow } from './incidents.repository.ts';

function parseLatest(value: unknown): AlertMeasurement {
  const parsed = alertMeasurementSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

function parseLabels(value: unknown): Labels {
  const parsed = labelsSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** The incident as the engine needs it to write a notification. */
export function incidentForNotification(row: IncidentRow): IncidentForNotification {
  const tuple = alertTupleSchema.safeParse(row.tuple);
  const namespace = alertNamespaceSchema.safeParse(row.namespace);
  return {
    id: row.id,
    ruleName: row.ruleName,
    ruleKind: alertRuleKindSchema.parse(row.ruleKind),
    severity: alertSeveritySchema.parse(row.severity),
    groupKey: row.groupKey,
    tuple: tuple.success ? tuple.data : null,
    namespace: namespace.success ? namespace.data : null,
    startedAt: row.startedAt,
    resolvedAt: row.resolvedAt,
    latest: parseLatest(row.latest),
    reminderCount: row.reminderCount,
  };
}

export function hostForNotification(row: IncidentRow): HostForNotification {
  return { id: row.hostId, hostname: row.hostname, labels: parseLabels(row.hostLabels) };
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** The REST shape of an incident. */
export function toAlertIncident(row: IncidentRow): AlertIncident {
  const n = incidentForNotification(row);
  return {
    id: row.id,
    ruleId: row.ruleId,
    ruleName: row.ruleName,
    ruleKind: n.ruleKind,
    severity: n.severity,
    groupKey: row.groupKey,
    host: { id: row.hostId, hostname: row.hostname, labels: parseLabels(row.hostLabels) },
    tuple: n.tuple,
    namespace: n.namespace,
    status: row.status === 'firing' ? 'firing' : 'resolved',
    startedAt: row.startedAt.toISOString(),
    resolvedAt: iso(row.resolvedAt),
    latest: n.latest,
    acknowledgedAt: iso(row.acknowledgedAt),
    acknowledgedBy: row.acknowledgedBy,
    silencedUntil: iso(row.silencedUntil),
    lastNotifiedAt: iso(row.lastNotifiedAt),
    reminderCount: row.reminderCount,
  };
}
