import { Inject, Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.ts';

/** Reads back what is stored under a (host, seq), to tell a resend from a clash. */
@Injectable()
export class ResendCheckRepository {
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  /** The stored snapshot's takenAt in ms, or null when there is none. */
  async storedTakenAt(hostId: string, seq: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ takenAt: Date }>(
      `SELECT taken_at AS "takenAt" FROM snapshots WHERE host_id = $1::uuid AND seq = $2`,
      [hostId, seq],
    );
    return rows[0]?.takenAt.getTime() ?? null;
  }
}
