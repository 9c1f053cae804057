import type { AlertMeasurement, AlertTuple } from '@portpressure/protocol';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { AlertNotification } from '../../notifications/notification.ts';
import { INCIDENT_COLUMNS, type IncidentRow } from '../incidents/incidents.repository.ts';

/** Advisory-lock class of the alert engine; the second key is hashtext(host id). */
export const HOST_LOCK_CLASS = 7110;

/** A new incident as the engine opens it. */
export interface NewIncident {
  ruleId: string;
  hostId: string;
  groupKey: string;
  ruleName: string;
  ruleKind: string;
  severity: string;
  tuple: AlertTuple | null;
  startedAt: Date;
  latest: AlertMeasurement;
}

/** Who gets a notification: the rule's channels (empty = every enabled one), or those that got the incident's firing. */
export type NotificationTarget = { channelIds: string[] } | { sameChannelsAsFiringOf: string };

/**
 * The alert engine's writes inside one transaction that holds a host's advisory lock. Incident
 * transitions and their outbox rows commit together (transactional outbox): a notification is
 * queued if and only if its transition happened.
 */
export class AlertTx {
  constructor(private readonly tx: Prisma.TransactionClient) {}

  /** Serialises evaluation per host across API instances until the transaction ends. */
  async lockHost(hostId: string): Promise<void> {
    await this.tx.$executeRaw`SELECT pg_advisory_xact_lock(${HOST_LOCK_CLASS}::int, hashtext(${hostId}))`;
  }

  /**
   * Records that the host's snapshot (seq, takenAt) is being evaluated. False when one taken at
   * the same moment or later was evaluated already: this one is stale and changes nothing.
   */
  async advanceEvaluation(hostId: string, seq: number, takenAt: Date): Promise<boolean> {
    const rows = await this.tx.$queryRaw<{ hostId: string }[]>`
      INSERT INTO alert_host_evaluations (host_id, seq, taken_at, evaluated_at)
      VALUES (${hostId}::uuid, ${seq}, ${takenAt}, now())
      ON CONFLICT (host_id) DO UPDATE SET seq = EXCLUDED.seq, taken_at = EXCLUDED.taken_at, evaluated_at = now()
        WHERE alert_host_evaluations.taken_at < EXCLUDED.taken_at
      RETURNING host_id AS "hostId"`;
    return rows.length > 0;
  }

  /** Pending counts of the host's group keys, by key. */
  async pendingStates(hostId: string): Promise<Map<string, { ruleId: string; breaches: number }>> {
    const rows = await this.tx.$queryRaw<{ groupKey: string; ruleId: string; breaches: number }[]>`
      SELECT group_key AS "groupKey", rule_id AS "ruleId", breaches FROM alert_states WHERE host_id = ${hostId}::uuid`;
    return new Map(rows.map((r) => [r.groupKey, { ruleId: r.ruleId, breaches: r.breaches }]));
  }

  async setPending(groupKey: string, ruleId: string, hostId: string, breaches: number): Promise<void> {
    await this.tx.$executeRaw`
      INSERT INTO alert_states (group_key, rule_id, host_id, breaches, updated_at)
      VALUES (${groupKey}, ${ruleId}::uuid, ${hostId}::uuid, ${breaches}, now())
      ON CONFLICT (host_id, group_key) DO UPDATE SET breaches = EXCLUDED.breaches, updated_at = now()`;
  }

  async clearPending(groupKeys: string[]): Promise<void> {
    if (groupKeys.length === 0) return;
    await this.tx.$executeRaw`DELETE FROM alert_states WHERE group_key = ANY(${groupKeys}::text[])`;
  }

  /** The host's firing incidents, locked against concurrent acknowledge/silence edits. */
  async openIncidents(hostId: string): Promise<IncidentRow[]> {
    return this.tx.$queryRaw<IncidentRow[]>`
      SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i JOIN hosts h ON h.id = i.host_id
      WHERE i.host_id = ${hostId}::uuid AND i.status = 'firing'
      ORDER BY i.started_at
      FOR UPDATE OF i`;
  }

  async incidentForUpdate(id: string): Promise<IncidentRow | null> {
    const rows = await this.tx.$queryRaw<IncidentRow[]>`
      SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i JOIN hosts h ON h.id = i.host_id
      WHERE i.id = ${id}::uuid FOR UPDATE OF i`;
    return rows[0] ?? null;
  }

  /**
   * Opens a firing incident. open_key is unique while firing, so a second one for the same group
   * key cannot exist even if two evaluations raced past the lock; null means one already fires.
   */
  async openIncident(n: NewIncident): Promise<IncidentRow | null> {
    const inserted = await this.tx.$queryRaw<{ id: string }[]>`
      INSERT INTO alert_incidents (rule_id, host_id, group_key, open_key, rule_name, rule_kind, severity, tuple,
        status, started_at, latest)
      VALUES (${n.ruleId}::uuid, ${n.hostId}::uuid, ${n.groupKey}, ${n.groupKey}, ${n.ruleName}, ${n.ruleKind},
        ${n.severity}, ${n.tuple === null ? null : JSON.stringify(n.tuple)}::jsonb, 'firing', ${n.startedAt},
        ${JSON.stringify(n.latest)}::jsonb)
      ON CONFLICT (host_id, open_key) DO NOTHING
      RETURNING id`;
    const id = inserted[0]?.id;
    return id === undefined ? null : this.incidentForUpdate(id);
  }

  async updateLatest(id: string, latest: AlertMeasurement): Promise<void> {
    await this.tx.$executeRaw`UPDATE alert_incidents SET latest = ${JSON.stringify(latest)}::jsonb WHERE id = ${id}::uuid`;
  }

  /** Resolves a firing incident; an empty measurement keeps the last figures it had. */
  async resolveIncident(id: string, at: Date, latest: AlertMeasurement): Promise<IncidentRow | null> {
    const rows = await this.tx.$queryRaw<{ id: string }[]>`
      UPDATE alert_incidents SET status = 'resolved', open_key = NULL, resolved_at = ${at},
        latest = CASE WHEN ${JSON.stringify(latest)}::jsonb = '{}'::jsonb THEN latest ELSE ${JSON.stringify(latest)}::jsonb END
      WHERE id = ${id}::uuid AND status = 'firing'
      RETURNING id`;
    return rows[0] === undefined ? null : this.incidentForUpdate(id);
  }

  /** Records that a firing or reminder notification was queued. */
  async markNotified(id: string, at: Date, kind: 'firing' | 'reminder'): Promise<void> {
    await this.tx.$executeRaw`
      UPDATE alert_incidents SET last_notified_at = ${at}, firing_notified = true,
        reminder_count = reminder_count + ${kind === 'reminder' ? 1 : 0}
      WHERE id = ${id}::uuid`;
  }

  /**
   * Queues one outbox row per target channel. Unique (notification id, channel) makes a repeat of
   * the same transition a no-op. Returns how many rows were queued.
   */
  async enqueue(notification: AlertNotification, incidentId: string | null, target: NotificationTarget): Promise<number> {
    const payload = JSON.stringify(notification);
    if ('sameChannelsAsFiringOf' in target) {
      return this.tx.$executeRaw`
        INSERT INTO alert_deliveries (notification_id, channel_id, incident_id, kind, payload)
        SELECT ${notification.id}, c.id, ${incidentId}::uuid, ${notification.kind}, ${payload}::jsonb
        FROM alert_channels c
        WHERE c.enabled AND c.id IN (
          SELECT d.channel_id FROM alert_deliveries d
          WHERE d.incident_id = ${target.sameChannelsAsFiringOf}::uuid AND d.kind = 'firing')
        ON CONFLICT (notification_id, channel_id) DO NOTHING`;
    }
    return this.tx.$executeRaw`
      INSERT INTO alert_deliveries (notification_id, channel_id, incident_id, kind, payload)
      SELECT ${notification.id}, c.id, ${incidentId}::uuid, ${notification.kind}, ${payload}::jsonb
      FROM alert_channels c
      WHERE c.enabled AND (cardinality(${target.channelIds}::uuid[]) = 0 OR c.id = ANY(${target.channelIds}::uuid[]))
      ON CONFLICT (notification_id, channel_id) DO NOTHING`;
  }
}

export type { IncidentRow };
