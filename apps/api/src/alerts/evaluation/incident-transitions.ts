import type { AlertMeasurement, AlertRule } from '@portpressure/protocol';
import type { AlertTx, IncidentRow } from './alert-tx.repository.ts';
import { buildIncidentNotification, type HostForNotification } from './notification-builder.ts';
import type { Decision } from './rule-evaluation.ts';
import { hostForNotification, incidentForNotification } from '../incidents/incident-view.ts';

/** What one evaluation changed; the caller wakes the delivery worker when `queued` > 0. */
export interface TransitionSummary {
  fired: number;
  resolved: number;
  queued: number;
}

export function emptySummary(): TransitionSummary {
  return { fired: 0, resolved: 0, queued: 0 };
}

/**
 * Applies the engine's decisions inside the host's transaction: one notification per transition
 * (firing, resolved, reminder), queued in the same transaction as the transition itself.
 */
export class IncidentTransitions {
  constructor(
    private readonly tx: AlertTx,
    private readonly publicUrl: string,
    readonly summary: TransitionSummary = emptySummary(),
  ) {}

  async apply(rule: AlertRule, host: HostForNotification, decisions: readonly Decision[], now: Date): Promise<void> {
    const cleared: string[] = [];
    for (const d of decisions) {
      switch (d.type) {
        case 'pending':
          await this.tx.setPending(d.groupKey, rule.id, host.id, d.breaches);
          break;
        case 'clear':
          cleared.push(d.groupKey);
          break;
        case 'keep':
          await this.tx.updateLatest(d.incidentId, d.measurement);
          break;
        case 'resolve':
          await this.resolve(d.incidentId, d.measurement, now);
          break;
        case 'fire':
          await this.fire(rule, host, d, now);
          break;
      }
    }
    await this.tx.clearPending(cleared);
  }

  private async fire(rule: AlertRule, host: HostForNotification, d: Extract<Decision, { type: 'fire' }>, now: Date): Promise<void> {
    const incident = await this.tx.openIncident({
      ruleId: rule.id,
      hostId: host.id,
      groupKey: d.groupKey,
      ruleName: rule.name,
      ruleKind: rule.kind,
      severity: rule.severity,
      tuple: d.tuple,
      namespace: d.namespace,
      startedAt: now,
      latest: d.measurement,
    });
    if (incident === null) return;
    this.summary.fired += 1;
    await this.notify(incident, 'firing', { channelIds: rule.channelIds }, now);
  }

  /** Resolves an incident and tells the channels that heard it fire. */
  async resolve(incidentId: string, measurement: AlertMeasurement, now: Date): Promise<void> {
    const incident = await this.tx.resolveIncident(incidentId, now, measurement);
    if (incident === null) return;
    this.summary.resolved += 1;
    if (!incident.firingNotified) return;
    const notification = buildIncidentNotification(
      'resolved',
      incidentForNotification(incident),
      hostForNotification(incident),
      this.publicUrl,
    );
    this.summary.queued += await this.tx.enqueue(notification, incident.id, { sameChannelsAsFiringOf: incident.id });
  }

  /**
   * Queues a firing notification, or the next reminder (to the channels that heard it fire), and
   * records it on the incident.
   */
  async notify(
    incident: IncidentRow,
    kind: 'firing' | 'reminder',
    target: { channelIds: string[] } | 'same-as-firing',
    now: Date,
  ): Promise<void> {
    const view = incidentForNotification(incident);
    if (kind === 'reminder') view.reminderCount += 1;
    const notification = buildIncidentNotification(kind, view, hostForNotification(incident), this.publicUrl);
    this.summary.queued += await this.tx.enqueue(
      notification,
      incident.id,
      target === 'same-as-firing' ? { sameChannelsAsFiringOf: incident.id } : target,
    );
    await this.tx.markNotified(incident.id, now, kind);
  }
}
