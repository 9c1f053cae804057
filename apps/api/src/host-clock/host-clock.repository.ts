import { Inject, Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.ts';

export interface StoredClockSkew {
  clockSkewMs: number | null;
  clockSkewAt: Date | null;
}

@Injectable()
export class HostClockRepository {
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  async recordSkew(hostId: string, skewMs: number): Promise<void> {
    await this.pool.query(`UPDATE hosts SET clock_skew_ms = $2, clock_skew_at = now() WHERE id = $1::uuid`, [hostId, skewMs]);
  }

  /** Null when there is no such host. */
  async findSkew(hostId: string): Promise<StoredClockSkew | null> {
    const { rows } = await this.pool.query<StoredClockSkew>(
      `SELECT clock_skew_ms AS "clockSkewMs", clock_skew_at AS "clockSkewAt" FROM hosts WHERE id = $1::uuid`,
      [hostId],
    );
    return rows[0] ?? null;
  }
}
