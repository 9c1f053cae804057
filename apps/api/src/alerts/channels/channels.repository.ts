import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { type Db, DbService } from '../../database/db.service.ts';

/** A channel row. `settings` holds secrets: the service redacts it before it leaves the API. */
export interface ChannelRow {
  id: string;
  name: string;
  type: string;
  settings: unknown;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChannelWrite {
  name: string;
  type: string;
  settings: unknown;
  enabled: boolean;
}

const CHANNEL_COLUMNS = ['id', 'name', 'type', 'settings', 'enabled', 'created_at as createdAt', 'updated_at as updatedAt'] as const;

function columnsOf(c: ChannelWrite) {
  return { name: c.name, type: c.type, settings: JSON.stringify(c.settings), enabled: c.enabled };
}

@Injectable()
export class ChannelsRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  async list(): Promise<ChannelRow[]> {
    return this.db.selectFrom('alert_channels').select(CHANNEL_COLUMNS).orderBy('created_at').orderBy('name').execute();
  }

  async findById(id: string): Promise<ChannelRow | null> {
    return (await this.db.selectFrom('alert_channels').select(CHANNEL_COLUMNS).where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async create(c: ChannelWrite): Promise<ChannelRow> {
    return this.db.insertInto('alert_channels').values(columnsOf(c)).returning(CHANNEL_COLUMNS).executeTakeFirstOrThrow();
  }

  async update(id: string, c: ChannelWrite): Promise<ChannelRow | null> {
    const row = await this.db
      .updateTable('alert_channels')
      .set({ ...columnsOf(c), updated_at: sql`now()` })
      .where('id', '=', id)
      .returning(CHANNEL_COLUMNS)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Deletes the channel and, by cascade, its delivery log. */
  async delete(id: string): Promise<boolean> {
    return (await this.db.deleteFrom('alert_channels').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
  }

  /** Which of these ids name existing channels. */
  async existingIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom('alert_channels').select('id').where('id', '=', sql<string>`ANY(${ids}::uuid[])`).execute();
    return new Set(rows.map((r) => r.id));
  }
}
