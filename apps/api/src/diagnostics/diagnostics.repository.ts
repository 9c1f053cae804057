import { Injectable } from '@nestjs/common';
import { DbService } from '../database/db.service.ts';

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
  constructor(private readonly db: DbService) {}

  /** Null when there is no such host. */
  async latest(hostId: string): Promise<HostDiagnosticsRow | null> {
    const row = await this.db
      .selectFrom('hosts as h')
      .leftJoin('host_diagnostics as d', 'd.host_id', 'h.id')
      .select(['h.id as hostId', 'd.seq', 'd.taken_at as takenAt', 'd.diagnostics'])
      .where('h.id', '=', hostId)
      .executeTakeFirst();
    if (row === undefined) return null;
    return { hostId: row.hostId, seq: row.seq === null ? null : Number(row.seq), takenAt: row.takenAt, diagnostics: row.diagnostics };
  }
}
