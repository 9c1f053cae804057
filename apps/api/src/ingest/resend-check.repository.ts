import { Inject, Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.ts';

/** What is stored under a (host, seq) that was not stored again. */
export type StoredSeq = 'none' | 'same' | 'other';

/** Reads back what is stored under a (host, seq), to tell a resend from a clash. */
@Injectable()
export class ResendCheckRepository {
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  /**
   * 'same' when this very snapshot (seq and takenAt) is stored: a resend, whenever it was stored.
   * 'other' when the seq is stored with another takenAt since the host's sequence baseline was
   * last reset: two writers. Snapshots dated before a reset belong to the old numbering and never
   * clash with the new one. Stored with millisecond precision, so a finer takenAt matches within 1 ms.
   */
  async storedSeq(hostId: string, seq: number, takenAtMs: number): Promise<StoredSeq> {
    const { rows } = await this.pool.query<{ same: boolean; other: boolean }>(
      `SELECT COALESCE(bool_or(abs(extract(epoch FROM s.taken_at) * 1000 - $3) <= 1), false) AS same,
              COALESCE(bool_or(h.seq_reset_at IS NULL OR s.taken_at >= h.seq_reset_at), false) AS other
       FROM snapshots s JOIN hosts h ON h.id = s.host_id
       WHERE s.host_id = $1::uuid AND s.seq = $2`,
      [hostId, seq, takenAtMs],
    );
    const row = rows[0];
    if (row?.same) return 'same';
    return row?.other ? 'other' : 'none';
  }
}
