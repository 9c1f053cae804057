import { Inject, Injectable } from '@nestjs/common';
import type { DeliveryStatus } from '@portpressure/protocol';
import { sql } from 'kysely';
import { type Db, DbService } from '../../database/db.service.ts';

/** A delivery a worker claimed: everything one attempt needs. `attempts` counts this one. */
export interface ClaimedDelivery {
  /** int8, as pg returns it: text. */
  id: string;
  notificationId: string;
  channelId: string;
  channelType: string;
  channelSettings: unknown;
  payload: unknown;
  attempts: number;
}

/** The result of one attempt, as the delivery log stores it. */
export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  outcome: 'delivered' | 'retry' | 'failed';
  httpStatus: number | null;
  error: string | null;
  retryAfterMs: number | null;
  /** For outcome retry: how long until the next attempt. */
  delayMs: number | null;
}

export interface DeliveryRow {
  /** int8, as pg returns it: text. */
  id: string;
  notificationId: string;
  kind: string;
  payload: unknown;
  channelId: string;
  channelName: string;
  channelType: string;
  incidentId: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface AttemptRow {
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  outcome: string;
  httpStatus: number | null;
  error: string | null;
  retryAfterMs: number | null;
  nextAttemptAt: Date | null;
}

export interface DeliveryQuery {
  status?: DeliveryStatus;
  channelId?: string;
  incidentId?: string;
  limit: number;
}

/** `alert_deliveries d JOIN alert_channels c` selecting DeliveryRow's columns. */
function selectDeliveries(db: Db) {
  return db
    .selectFrom('alert_deliveries as d')
    .innerJoin('alert_channels as c', 'c.id', 'd.channel_id')
    .select([
      'd.id',
      'd.notification_id as notificationId',
      'd.kind',
      'd.payload',
      'd.channel_id as channelId',
      'c.name as channelName',
      'c.type as channelType',
      'd.incident_id as incidentId',
      'd.status',
      'd.attempts',
      'd.next_attempt_at as nextAttemptAt',
      'd.last_error as lastError',
      'd.created_at as createdAt',
      'd.delivered_at as deliveredAt',
    ]);
}

@Injectable()
export class OutboxRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  /**
   * Claims up to `limit` due deliveries for this worker. SKIP LOCKED lets several API instances
   * claim side by side without waiting on or double-taking each other's rows. A claim counts the
   * attempt and pushes next_attempt_at out by `leaseMs`: if this process dies mid-attempt, the row
   * becomes due again when the lease runs out. A delivery waits while an older one for the same
   * incident and channel is still pending, so "resolved" never overtakes its "firing".
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const { rows } = await sql<ClaimedDelivery>`
      WITH due AS (
        SELECT d.id FROM alert_deliveries d
        WHERE d.status = 'pending' AND d.next_attempt_at <= now()
          AND NOT EXISTS (
            SELECT 1 FROM alert_deliveries e
            WHERE e.channel_id = d.channel_id AND e.incident_id = d.incident_id AND e.status = 'pending' AND e.id < d.id)
        ORDER BY d.next_attempt_at, d.id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      UPDATE alert_deliveries d
      SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}::float8),
        updated_at = now()
      FROM due, alert_channels c
      WHERE d.id = due.id AND c.id = d.channel_id
      RETURNING d.id, d.notification_id AS "notificationId", d.channel_id AS "channelId", c.type AS "channelType",
        c.settings AS "channelSettings", d.payload, d.attempts`.execute(this.db);
    return rows;
  }

  /**
   * Logs an attempt and moves its delivery on. The update only applies while the row still carries
   * this claim's attempt number: a worker whose lease ran out while it waited cannot overwrite
   * the outcome of the worker that took over.
   */
  async recordAttempt(deliveryId: string, attempt: number, record: AttemptRecord): Promise<void> {
    const delaySeconds = (record.delayMs ?? 0) / 1000;
    await this.db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable('alert_deliveries')
        .set({
          status: record.outcome === 'delivered' ? 'delivered' : record.outcome === 'failed' ? 'failed' : 'pending',
          next_attempt_at:
            record.outcome === 'retry' ? sql<Date>`now() + make_interval(secs => ${delaySeconds}::float8)` : sql<Date>`next_attempt_at`,
          last_error: record.error,
          delivered_at: record.outcome === 'delivered' ? sql<Date>`now()` : null,
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', deliveryId)
        .where('attempts', '=', attempt)
        .where('status', '=', 'pending')
        .returning('next_attempt_at as nextAttemptAt')
        .executeTakeFirst();
      const next = record.outcome === 'retry' ? (updated?.nextAttemptAt ?? null) : null;
      await tx
        .insertInto('alert_delivery_attempts')
        .values({
          delivery_id: deliveryId,
          attempt,
          started_at: record.startedAt,
          duration_ms: Math.round(record.durationMs),
          outcome: record.outcome,
          http_status: record.httpStatus,
          error: record.error,
          retry_after_ms: record.retryAfterMs,
          next_attempt_at: next,
        })
        .execute();
    });
  }

  /**
   * A "send test" delivery: claimed by its creator from the start (attempt 1 under a lease), so
   * the worker never picks it up; the caller records the one attempt.
   */
  async createClaimed(notificationId: string, channelId: string, kind: string, payload: unknown, leaseMs: number): Promise<string> {
    const row = await this.db
      .insertInto('alert_deliveries')
      .values({
        notification_id: notificationId,
        channel_id: channelId,
        kind,
        payload: JSON.stringify(payload),
        attempts: 1,
        next_attempt_at: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000}::float8)`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Gives up on a disabled channel's queue, so re-enabling it later does not replay stale alerts. */
  async failPendingForChannel(channelId: string, reason: string): Promise<number> {
    const updated = await this.db
      .updateTable('alert_deliveries')
      .set({ status: 'failed', last_error: reason, updated_at: sql<Date>`now()` })
      .where('channel_id', '=', channelId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(updated.numUpdatedRows);
  }

  /** Newest first, with each delivery's attempts. */
  async list(query: DeliveryQuery): Promise<{ deliveries: DeliveryRow[]; attempts: AttemptRow[] }> {
    let select = selectDeliveries(this.db);
    if (query.status !== undefined) select = select.where('d.status', '=', query.status);
    if (query.channelId !== undefined) select = select.where('d.channel_id', '=', query.channelId);
    if (query.incidentId !== undefined) select = select.where('d.incident_id', '=', query.incidentId);
    const deliveries = await select.orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(query.limit).execute();
    return { deliveries, attempts: await this.attemptsOf(deliveries.map((d) => d.id)) };
  }

  async findById(id: string): Promise<{ delivery: DeliveryRow; attempts: AttemptRow[] } | null> {
    const delivery = await selectDeliveries(this.db).where('d.id', '=', id).executeTakeFirst();
    return delivery === undefined ? null : { delivery, attempts: await this.attemptsOf([id]) };
  }

  private async attemptsOf(ids: string[]): Promise<AttemptRow[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('alert_delivery_attempts')
      .select([
        'delivery_id as deliveryId',
        'attempt',
        'started_at as startedAt',
        'duration_ms as durationMs',
        'outcome',
        'http_status as httpStatus',
        'error',
        'retry_after_ms as retryAfterMs',
        'next_attempt_at as nextAttemptAt',
      ])
      .where('delivery_id', 'in', ids)
      .orderBy('delivery_id')
      .orderBy('id')
      .execute();
  }
}
