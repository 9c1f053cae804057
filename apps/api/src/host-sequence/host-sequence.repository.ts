import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DbService } from '../database/db.service.ts';

export interface SequenceResetRow {
  previousLastSeq: number;
  resetAt: Date;
}

@Injectable()
export class HostSequenceRepository {
  constructor(private readonly db: DbService) {}

  /**
   * Puts the host's sequence baseline back to 0 and records when (seq_reset_at), in one statement
   * under the host row's lock, so an ingest batch of the host either commits before it (and its
   * seq is part of the old numbering) or after it (and is compared with the new one).
   * latest_taken_at comes back to now at most: a future date stored before the server owned time
   * would otherwise keep the host's figures from moving. Null when there is no such host.
   */
  async reset(hostId: string): Promise<SequenceResetRow | null> {
    const { rows } = await sql<SequenceResetRow>`
      WITH old AS (SELECT id, last_seq FROM hosts WHERE id = ${hostId}::uuid FOR NO KEY UPDATE)
      UPDATE hosts h SET last_seq = 0, seq_reset_at = now(), latest_taken_at = LEAST(h.latest_taken_at, now())
      FROM old WHERE h.id = old.id
      RETURNING old.last_seq::float8 AS "previousLastSeq", h.seq_reset_at AS "resetAt"`.execute(this.db);
    return rows[0] ?? null;
  }
}
