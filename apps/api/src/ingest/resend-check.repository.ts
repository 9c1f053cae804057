import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DbService } from '../database/db.service.ts';

/** What is stored under a (host, seq) that was not stored again. */
export type StoredSeq = 'none' | 'same' | 'other';

/** Reads back what is stored under a (host, seq), to tell a resend from a clash. */
@Injectable()
export class ResendCheckRepository {
  constructor(private readonly db: DbService) {}

  /**
   * 'same' when this very snapshot (seq and takenAt) is stored: a resend, whenever it was stored.
   * 'other' when the seq is stored with another takenAt since the host's sequence baseline was
   * last reset: two writers. Snapshots dated before a reset belong to the old numbering and never
   * clash with the new one. Stored with millisecond precision, so a finer takenAt matches within 1 ms.
   */
  async storedSeq(hostId: string, seq: number, takenAtMs: number): Promise<StoredSeq> {
    const row = await this.db
      .selectFrom('snapshots as s')
      .innerJoin('hosts as h', 'h.id', 's.host_id')
      .select([
        sql<boolean>`COALESCE(bool_or(abs(extract(epoch FROM s.taken_at) * 1000 - ${takenAtMs}) <= 1), false)`.as('same'),
        sql<boolean>`COALESCE(bool_or(h.seq_reset_at IS NULL OR s.taken_at >= h.seq_reset_at), false)`.as('other'),
      ])
      .where('s.host_id', '=', hostId)
      .where('s.seq', '=', String(seq))
      .executeTakeFirst();
    if (row?.same) return 'same';
    return row?.other ? 'other' : 'none';
  }
}
