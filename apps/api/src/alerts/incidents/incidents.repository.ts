import { Inject, Injectable } from '@nestjs/common';
import type { IncidentFilter } from '@portpressure/protocol';
import { sql } from 'kysely';
import { type Db, DbService } from '../../database/db.service.ts';

/** An incident row joined with its host: plain values, JSON columns still unparsed. */
export interface IncidentRow {
  id: string;
  ruleId: string | null;
  hostId: string;
  groupKey: string;
  ruleName: string;
  ruleKind: string;
  severity: string;
  tuple: unknown;
  status: string;
  startedAt: Date;
  resolvedAt: Date | null;
  latest: unknown;
  firingNotified: boolean;
  lastNotifiedAt: Date | null;
  reminderCount: number;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  silencedUntil: Date | null;
  hostname: string;
  hostLabels: unknown;
}

/** `alert_incidents i JOIN hosts h` selecting IncidentRow's columns; callers add the conditions. */
export function selectIncidents(db: Db) {
  return db
    .selectFrom('alert_incidents as i')
    .innerJoin('hosts as h', 'h.id', 'i.host_id')
    .select([
      'i.id',
      'i.rule_id as ruleId',
      'i.host_id as hostId',
      'i.group_key as groupKey',
      'i.rule_name as ruleName',
      'i.rule_kind as ruleKind',
      'i.severity',
      'i.tuple',
      'i.status',
      'i.started_at as startedAt',
      'i.resolved_at as resolvedAt',
      'i.latest',
      'i.firing_notified as firingNotified',
      'i.last_notified_at as lastNotifiedAt',
      'i.reminder_count as reminderCount',
      'i.acknowledged_at as acknowledgedAt',
      'i.acknowledged_by as acknowledgedBy',
      'i.silenced_until as silencedUntil',
      'h.hostname',
      'h.labels as hostLabels',
    ]);
}

@Injectable()
export class IncidentsRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  /** Newest first. `acknowledged` means firing and acknowledged. */
  async list(filter: IncidentFilter, limit: number, hostId?: string): Promise<IncidentRow[]> {
    let query = selectIncidents(this.db);
    if (filter === 'firing' || filter === 'acknowledged') query = query.where('i.status', '=', 'firing');
    if (filter === 'resolved') query = query.where('i.status', '=', 'resolved');
    if (filter === 'acknowledged') query = query.where('i.acknowledged_at', 'is not', null);
    if (hostId !== undefined) query = query.where('i.host_id', '=', hostId);
    return query.orderBy('i.started_at', 'desc').orderBy('i.id').limit(limit).execute();
  }

  async findById(id: string): Promise<IncidentRow | null> {
    return (await selectIncidents(this.db).where('i.id', '=', id).executeTakeFirst()) ?? null;
  }

  /** Acknowledges a firing incident once; a second acknowledgement keeps the first one's author. */
  async acknowledge(id: string, by: string, at: Date): Promise<'ok' | 'missing' | 'not-firing'> {
    const updated = await this.db
      .updateTable('alert_incidents')
      .set({ acknowledged_at: sql`COALESCE(acknowledged_at, ${at})`, acknowledged_by: sql`COALESCE(acknowledged_by, ${by})` })
      .where('id', '=', id)
      .where('status', '=', 'firing')
      .executeTakeFirst();
    if (updated.numUpdatedRows > 0n) return 'ok';
    return (await this.findById(id)) === null ? 'missing' : 'not-firing';
  }

  /** Sets (until a moment) or lifts (null) the silence of a firing incident. */
  async silence(id: string, until: Date | null): Promise<'ok' | 'missing' | 'not-firing'> {
    const updated = await this.db
      .updateTable('alert_incidents')
      .set({ silenced_until: until })
      .where('id', '=', id)
      .where('status', '=', 'firing')
      .executeTakeFirst();
    if (updated.numUpdatedRows > 0n) return 'ok';
    return (await this.findById(id)) === null ? 'missing' : 'not-firing';
  }
}
