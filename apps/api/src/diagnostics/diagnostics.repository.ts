import { Inject, Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.ts';

/** A host and its latest stored diagnostics (null fields: the host never sent any). */
export interface HostDiagnosticsRow {
  hostId: string;
  seq: number | null;
  takenAt: Date | null;
  diagnostics: unknown;
}

/** Reads host_diagnostics; the ingest batch statement (ingest.repository.ts) writes it. */
@Injectable()
export class DiagnosticsRepository {
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  /** Null when there is no such host. */
  async latest(hostId: string): Promise<HostDiagnosticsRow | null> {
    const { rows } = await this.pool.query<HostDiagnosticsRow>(
      `SELECT h.id AS "hostId", d.seq::float8 AS seq, d.taken_at AS "takenAt", d.diagnostics
       FROM hosts h LEFT JOIN host_diagnostics d ON d.host_id = h.id WHERE h.id = $1::uuid`,
      [hostId],
    );
    return rows[0] ?? null;
  }
}
