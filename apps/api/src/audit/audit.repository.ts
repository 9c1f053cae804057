import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.ts';

export interface AuditWrite {
  actorId: string | null;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditRow extends AuditWrite {
  id: bigint;
  at: Date;
}

/** JSON for a jsonb column; undefined and null both store SQL NULL. */
function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

@Injectable()
export class AuditRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  async insert(e: AuditWrite): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO audit_events (actor_id, actor_name, action, entity_type, entity_id, before, after)
      VALUES (${e.actorId}::uuid, ${e.actorName}, ${e.action}, ${e.entityType}, ${e.entityId},
              ${jsonOrNull(e.before)}::jsonb, ${jsonOrNull(e.after)}::jsonb)`;
  }

  /** Newest first; `beforeId` pages to older events. */
  async list(limit: number, beforeId: bigint | undefined, entityType: string | undefined): Promise<AuditRow[]> {
    return this.prisma.$queryRaw<AuditRow[]>`
      SELECT id, at, actor_id AS "actorId", actor_name AS "actorName", action, entity_type AS "entityType",
             entity_id AS "entityId", before, after
      FROM audit_events
      WHERE (${beforeId ?? null}::bigint IS NULL OR id < ${beforeId ?? null}::bigint)
        AND (${entityType ?? null}::text IS NULL OR entity_type = ${entityType ?? null}::text)
      ORDER BY id DESC
      LIMIT ${limit}`;
  }

  async deleteOlderThan(days: number): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM audit_events WHERE at < now() - make_interval(days => ${days})`;
  }
}
