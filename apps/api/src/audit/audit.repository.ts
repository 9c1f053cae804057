import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DbService } from '../database/db.service.ts';

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
  /** int8, as pg returns it: text. */
  id: string;
  at: Date;
}

/** JSON for a jsonb column; undefined and null both store SQL NULL. */
function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: DbService) {}

  async insert(e: AuditWrite): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        actor_id: e.actorId,
        actor_name: e.actorName,
        action: e.action,
        entity_type: e.entityType,
        entity_id: e.entityId,
        before: jsonOrNull(e.before),
        after: jsonOrNull(e.after),
      })
      .execute();
  }

  /** Newest first; `beforeId` pages to older events. */
  async list(limit: number, beforeId: bigint | undefined, entityType: string | undefined): Promise<AuditRow[]> {
    let query = this.db
      .selectFrom('audit_events')
      .select([
        'id',
        'at',
        'actor_id as actorId',
        'actor_name as actorName',
        'action',
        'entity_type as entityType',
        'entity_id as entityId',
        'before',
        'after',
      ])
      .orderBy('id', 'desc')
      .limit(limit);
    if (beforeId !== undefined) query = query.where('id', '<', beforeId.toString());
    if (entityType !== undefined) query = query.where('entity_type', '=', entityType);
    return query.execute();
  }

  async deleteOlderThan(days: number): Promise<number> {
    const result = await this.db
      .deleteFrom('audit_events')
      .where('at', '<', sql<Date>`now() - make_interval(days => ${days})`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
