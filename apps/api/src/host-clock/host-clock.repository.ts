import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DbService } from '../database/db.service.ts';

export interface StoredClockSkew {
  clockSkewMs: number | null;
  clockSkewAt: Date | null;
}

@Injectable()
export class HostClockRepository {
  constructor(private readonly db: DbService) {}

  async recordSkew(hostId: string, skewMs: number): Promise<void> {
    await this.db.updateTable('hosts').set({ clock_skew_ms: skewMs, clock_skew_at: sql`now()` }).where('id', '=', hostId).execute();
  }

  /** Null when there is no such host. */
  async findSkew(hostId: string): Promise<StoredClockSkew | null> {
    const row = await this.db
      .selectFrom('hosts')
      .select(['clock_skew_ms as clockSkewMs', 'clock_skew_at as clockSkewAt'])
      .where('id', '=', hostId)
      .executeTakeFirst();
    return row ?? null;
  }
}
