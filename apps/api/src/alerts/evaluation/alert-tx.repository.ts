import type { AlertMeasurement, AlertTuple } from '@portpressure/protocol';
import { sql } from 'kysely';
import type { Db } from '../../database/db.service.ts';
import type { AlertNotification } from '../../notifications/notification.ts';
import { type IncidentRow, selectIncidents } from '../incidents/incidents.repository.ts';

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
  constructor(private readonly tx: Db) {}

  /** Serialises evaluation per host across API instances until the transaction ends. */
  async lockHost(hostId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(${HOST_LOCK_CLASS}::int, hashtext(${hostId}))`.execute(this.tx);
  }

  /**
   * Records that the host's snapshot (seq, takenAt) is being evaluated. False when one taken at
   * the same moment or later was evaluated already: this one is stale and changes nothing.
   */
  async advanceEvaluation(hostId: string, seq: number, takenAt: Date): Promise<boolean> {
    const rows = await this.tx
      .insertInto('alert_host_evaluations')
      .values({ host_id: hostId, seq, taken_at: takenAt, evaluated_at: sql`now()` })
      .onConflict((oc) =>
        oc
          .column('host_id')
          .doUpdateSet({ seq: (eb) => eb.ref('excluded.seq'), taken_at: (eb) => eb.ref('excluded.taken_at'), evaluated_at: sql`now()` })
          .where('alert_host_evaluations.taken_at', '<', (eb) => eb.ref('excluded.taken_at')),
      )
      .returning('host_id')
      .execute();
    return rows.length > 0;
  }

  /** Pending counts of the host's group keys, by key. */
  async pendingStates(hostId: string): Promise<Map<string, { ruleId: string; breaches: number }>> {
    const rows = await this.tx
      .selectFrom('alert_states')
      .select(['group_key as groupKey', 'rule_id as ruleId', 'breaches'])
      .where('host_id', '=', hostId)
      .execute();
    return new Map(rows.map((r) => [r.groupKey, { ruleId: r.ruleId, breaches: r.breaches }]));
  }

  async setPending(groupKey: string, ruleId: string, hostId: string, breaches: number): Promise<void> {
    await this.tx
      .insertInto('alert_states')
      .values({ group_key: groupKey, rule_id: ruleId, host_id: hostId, breaches, updated_at: sql`now()` })
      .onConflict((oc) => oc.columns(['host_id', 'group_key']).doUpdateSet({ breaches, updated_at: sql`now()` }))
      .execute();
  }

  async clearPending(groupKeys: string[]): Promise<void> {
    if (groupKeys.length === 0) return;
    await this.tx.deleteFrom('alert_states').where('group_key', 'in', groupKeys).execute();
  }

  /** The host's firing incidents, locked against concurrent acknowledge/silence edits. */
  async openIncidents(hostId: string): Promise<IncidentRow[]> {
    return selectIncidents(this.tx)
      .where('i.host_id', '=', hostId)
      .where('i.status', '=', 'firing')
      .orderBy('i.started_at')
      .forUpdate('i')
      .execute();
  }

  async incidentForUpdate(id: string): Promise<IncidentRow | null> {
    return (await selectIncidents(this.tx).where('i.id', '=', id).forUpdate('i').executeTakeFirst()) ?? null;
  }

  /**
   * Opens a firing incident. open_key is unique while firing, so a second one for the same group
   * key cannot exist even if two evaluations raced past the lock; null means one already fires.
   */
  async openIncident(n: NewIncident): Promise<IncidentRow | null> {
    const inserted = await this.tx
      .insertInto('alert_incidents')
      .values({
        rule_id: n.ruleId,
        host_id: n.hostId,
        group_key: n.groupKey,
        open_key: n.groupKey,
        rule_name: n.ruleName,
        rule_kind: n.ruleKind,
        severity: n.severity,
        tuple: n.tuple === null ? null : JSON.stringify(n.tuple),
        status: 'firing',
        started_at: n.startedAt,
        latest: JSON.stringify(n.latest),
      })
      .onConflict((oc) => oc.columns(['host_id', 'open_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    const id = inserted?.id;
    return id === undefined ? null : this.incidentForUpdate(id);
  }

  async updateLatest(id: string, latest: AlertMeasurement): Promise<void> {
    await this.tx
      .updateTable('alert_incidents')
      .set({ latest: JSON.stringify(latest) })
      .where('id', '=', id)
      .execute();
  }

  /** Resolves a firing incident; an empty measurement keeps the last figures it had. */
  async resolveIncident(id: string, at: Date, latest: AlertMeasurement): Promise<IncidentRow | null> {
    const resolved = await this.tx
      .updateTable('alert_incidents')
      .set({
        status: 'resolved',
        open_key: null,
        resolved_at: at,
        ...(JSON.stringify(latest) === '{}' ? {} : { latest: JSON.stringify(latest) }),
      })
      .where('id', '=', id)
      .where('status', '=', 'firing')
      .executeTakeFirst();
    return resolved.numUpdatedRows === 0n ? null : this.incidentForUpdate(id);
  }

  /** Records that a firing or reminder notification was queued. */
  async markNotified(id: string, at: Date, kind: 'firing' | 'reminder'): Promise<void> {
    await this.tx
      .updateTable('alert_incidents')
      .set((eb) => ({
        last_notified_at: at,
        firing_notified: true,
        reminder_count: eb('reminder_count', '+', kind === 'reminder' ? 1 : 0),
      }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * Queues one outbox row per target channel. Unique (notification id, channel) makes a repeat of
   * the same transition a no-op. Returns how many rows were queued.
   */
  async enqueue(notification: AlertNotification, incidentId: string | null, target: NotificationTarget): Promise<number> {
    const payload = JSON.stringify(notification);
    const channels = this.tx
      .selectFrom('alert_channels as c')
      .select([
        sql<string>`${notification.id}::text`.as('notification_id'),
        'c.id as channel_id',
        sql<string | null>`${incidentId}::uuid`.as('incident_id'),
        sql<string>`${notification.kind}::text`.as('kind'),
        sql<string>`${payload}::jsonb`.as('payload'),
      ])
      .where('c.enabled', '=', true);
    const targeted =
      'sameChannelsAsFiringOf' in target
        ? channels.where('c.id', 'in', (eb) =>
            eb
              .selectFrom('alert_deliveries as d')
              .select('d.channel_id')
              .where('d.incident_id', '=', target.sameChannelsAsFiringOf)
              .where('d.kind', '=', 'firing'),
          )
        : target.channelIds.length === 0
          ? channels
          : channels.where('c.id', 'in', target.channelIds);
    const inserted = await this.tx
      .insertInto('alert_deliveries')
      .columns(['notification_id', 'channel_id', 'incident_id', 'kind', 'payload'])
      .expression(targeted)
      .onConflict((oc) => oc.columns(['notification_id', 'channel_id']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n);
  }
}

export type { IncidentRow };
