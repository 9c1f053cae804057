import { Inject, Injectable } from '@nestjs/common';
import type { IncidentFilter } from '@portpressure/protocol';
import { PrismaService } from '../../database/prisma.service.ts';
import { Prisma } from '../../generated/prisma/client.ts';

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
  namespace: unknown;
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

/** Columns of IncidentRow, for queries over `alert_incidents i JOIN hosts h`. */
export const INCIDENT_COLUMNS = Prisma.raw(`i.id, i.rule_id AS "ruleId", i.host_id AS "hostId", i.group_key AS "groupKey",
  i.rule_name AS "ruleName", i.rule_kind AS "ruleKind", i.severity, i.tuple, i.namespace, i.status, i.started_at AS "startedAt",
  i.resolved_at AS "resolvedAt", i.latest, i.firing_notified AS "firingNotified", i.last_notified_at AS "lastNotifiedAt",
  i.reminder_count AS "reminderCount", i.acknowledged_at AS "acknowledgedAt", i.acknowledged_by AS "acknowledgedBy",
  i.silenced_until AS "silencedUntil", h.hostname, h.labels AS "hostLabels"`);

@Injectable()
export class IncidentsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Newest first. `acknowledged` means firing and acknowledged. */
  async list(filter: IncidentFilter, limit: number, hostId?: string): Promise<IncidentRow[]> {
    const byStatus =
      filter === 'firing'
        ? Prisma.sql`i.status = 'firing'`
        : filter === 'resolved'
          ? Prisma.sql`i.status = 'resolved'`
          : filter === 'acknowledged'
            ? Prisma.sql`i.status = 'firing' AND i.acknowledged_at IS NOT NULL`
            : Prisma.sql`TRUE`;
    const byHost = hostId === undefined ? Prisma.sql`TRUE` : Prisma.sql`i.host_id = ${hostId}::uuid`;
    return this.prisma.$queryRaw<IncidentRow[]>`
      SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i JOIN hosts h ON h.id = i.host_id
      WHERE ${byStatus} AND ${byHost}
      ORDER BY i.started_at DESC, i.id
      LIMIT ${limit}`;
  }

  async findById(id: string): Promise<IncidentRow | null> {
    const rows = await this.prisma.$queryRaw<IncidentRow[]>`
      SELECT ${INCIDENT_COLUMNS} FROM alert_incidents i JOIN hosts h ON h.id = i.host_id WHERE i.id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  /** Acknowledges a firing incident once; a second acknowledgement keeps the first one's author. */
  async acknowledge(id: string, by: string, at: Date): Promise<'ok' | 'missing' | 'not-firing'> {
    const rows = await this.prisma.$queryRaw<{ status: string }[]>`
      UPDATE alert_incidents SET acknowledged_at = COALESCE(acknowledged_at, ${at}),
        acknowledged_by = COALESCE(acknowledged_by, ${by})
      WHERE id = ${id}::uuid AND status = 'firing'
      RETURNING status`;
    if (rows.length > 0) return 'ok';
    return (await this.findById(id)) === null ? 'missing' : 'not-firing';
  }

  /** Sets (until a moment) or lifts (null) the silence of a firing incident. */
  async silence(id: string, until: Date | null): Promise<'ok' | 'missing' | 'not-firing'> {
    const rows = await this.prisma.$queryRaw<{ status: string }[]>`
      UPDATE alert_incidents SET silenced_until = ${until}::timestamptz
      WHERE id = ${id}::uuid AND status = 'firing'
      RETURNING status`;
    if (rows.length > 0) return 'ok';
    return (await this.findById(id)) === null ? 'missing' : 'not-firing';
  }
}
