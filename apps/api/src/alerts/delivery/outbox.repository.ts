import { Inject, Injectable } from '@nestjs/common';
import type { DeliveryStatus } from '@portpressure/protocol';
import { PrismaService } from '../../database/prisma.service.ts';
import { Prisma } from '../../generated/prisma/client.ts';

/** A delivery a worker claimed: everything one attempt needs. `attempts` counts this one. */
export interface ClaimedDelivery {
  id: bigint;
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
  id: bigint;
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
  deliveryId: bigint;
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

const DELIVERY_COLUMNS = Prisma.raw(`d.id, d.notification_id AS "notificationId", d.kind, d.payload, d.channel_id AS "channelId",
  c.name AS "channelName", c.type AS "channelType", d.incident_id AS "incidentId", d.status, d.attempts,
  d.next_attempt_at AS "nextAttemptAt", d.last_error AS "lastError", d.created_at AS "createdAt",
  d.delivered_at AS "deliveredAt"`);

@Injectable()
export class OutboxRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /**
   * Claims up to `limit` due deliveries for this worker. SKIP LOCKED lets several API instances
   * claim side by side without waiting on or double-taking each other's rows. A claim counts the
   * attempt and pushes next_attempt_at out by `leaseMs`: if this process dies mid-attempt, the row
   * becomes due again when the lease runs out. A delivery waits while an older one for the same
   * incident and channel is still pending, so "resolved" never overtakes its "firing".
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
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
        c.settings AS "channelSettings", d.payload, d.attempts`;
  }

  /**
   * Logs an attempt and moves its delivery on. The update only applies while the row still carries
   * this claim's attempt number: a worker whose lease ran out while it waited cannot overwrite
   * the outcome of the worker that took over.
   */
  async recordAttempt(deliveryId: bigint, attempt: number, record: AttemptRecord): Promise<void> {
    const delaySeconds = (record.delayMs ?? 0) / 1000;
    await this.prisma.$transaction(async (tx) => {
      const updated = await tx.$queryRaw<{ nextAttemptAt: Date }[]>`
        UPDATE alert_deliveries SET
          status = CASE ${record.outcome} WHEN 'delivered' THEN 'delivered' WHEN 'failed' THEN 'failed' ELSE 'pending' END,
          next_attempt_at = CASE ${record.outcome} WHEN 'retry' THEN now() + make_interval(secs => ${delaySeconds}::float8)
            ELSE next_attempt_at END,
          last_error = ${record.error},
          delivered_at = CASE ${record.outcome} WHEN 'delivered' THEN now() ELSE NULL END,
          updated_at = now()
        WHERE id = ${deliveryId} AND attempts = ${attempt} AND status = 'pending'
        RETURNING next_attempt_at AS "nextAttemptAt"`;
      const next = record.outcome === 'retry' ? (updated[0]?.nextAttemptAt ?? null) : null;
      await tx.$executeRaw`
        INSERT INTO alert_delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, http_status, error,
          retry_after_ms, next_attempt_at)
        VALUES (${deliveryId}, ${attempt}, ${record.startedAt}, ${Math.round(record.durationMs)}, ${record.outcome},
          ${record.httpStatus}::int, ${record.error}, ${record.retryAfterMs}::int, ${next}::timestamptz)`;
    });
  }

  /**
   * A "send test" delivery: claimed by its creator from the start (attempt 1 under a lease), so
   * the worker never picks it up; the caller records the one attempt.
   */
  async createClaimed(notificationId: string, channelId: string, kind: string, payload: unknown, leaseMs: number): Promise<bigint> {
    const rows = await this.prisma.$queryRaw<{ id: bigint }[]>`
      INSERT INTO alert_deliveries (notification_id, channel_id, kind, payload, attempts, next_attempt_at)
      VALUES (${notificationId}, ${channelId}::uuid, ${kind}, ${JSON.stringify(payload)}::jsonb, 1,
        now() + make_interval(secs => ${leaseMs / 1000}::float8))
      RETURNING id`;
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('delivery insert returned no row');
    return id;
  }

  /** Gives up on a disabled channel's queue, so re-enabling it later does not replay stale alerts. */
  async failPendingForChannel(channelId: string, reason: string): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE alert_deliveries SET status = 'failed', last_error = ${reason}, updated_at = now()
      WHERE channel_id = ${channelId}::uuid AND status = 'pending'`;
  }

  /** Newest first, with each delivery's attempts. */
  async list(query: DeliveryQuery): Promise<{ deliveries: DeliveryRow[]; attempts: AttemptRow[] }> {
    const conditions: Prisma.Sql[] = [Prisma.sql`TRUE`];
    if (query.status !== undefined) conditions.push(Prisma.sql`d.status = ${query.status}`);
    if (query.channelId !== undefined) conditions.push(Prisma.sql`d.channel_id = ${query.channelId}::uuid`);
    if (query.incidentId !== undefined) conditions.push(Prisma.sql`d.incident_id = ${query.incidentId}::uuid`);
    const deliveries = await this.prisma.$queryRaw<DeliveryRow[]>`
      SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries d JOIN alert_channels c ON c.id = d.channel_id
      WHERE ${Prisma.join(conditions, ' AND ')}
      ORDER BY d.created_at DESC, d.id DESC
      LIMIT ${query.limit}`;
    return { deliveries, attempts: await this.attemptsOf(deliveries.map((d) => d.id)) };
  }

  async findById(id: bigint): Promise<{ delivery: DeliveryRow; attempts: AttemptRow[] } | null> {
    const rows = await this.prisma.$queryRaw<DeliveryRow[]>`
      SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries d JOIN alert_channels c ON c.id = d.channel_id WHERE d.id = ${id}`;
    const delivery = rows[0];
    return delivery === undefined ? null : { delivery, attempts: await this.attemptsOf([id]) };
  }

  private async attemptsOf(ids: bigint[]): Promise<AttemptRow[]> {
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw<AttemptRow[]>`
      SELECT delivery_id AS "deliveryId", attempt, started_at AS "startedAt", duration_ms AS "durationMs", outcome,
        http_status AS "httpStatus", error, retry_after_ms AS "retryAfterMs", next_attempt_at AS "nextAttemptAt"
      FROM alert_delivery_attempts WHERE delivery_id = ANY(${ids}::bigint[])
      ORDER BY delivery_id, id`;
  }
}
