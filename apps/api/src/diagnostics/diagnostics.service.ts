import { Injectable } from '@nestjs/common';
import { diagnosticsSchema, type HostDiagnostics } from '@portpressure/protocol';
import { HostsError } from '../hosts/hosts.errors.ts';
import { DiagnosticsRepository } from './diagnostics.repository.ts';

@Injectable()
export class DiagnosticsService {
  constructor(private readonly repository: DiagnosticsRepository) {}

  /** The host's latest diagnostics, or nulls when it never sent any. */
  async latest(hostId: string): Promise<HostDiagnostics> {
    const row = await this.repository.latest(hostId);
    if (!row) throw new HostsError('HOST_NOT_FOUND', `no host with id ${hostId}`);
    // Stored as ingest validated it; parsed again so a row written by an older contract cannot
    // reach a browser in a shape this version does not describe.
    const parsed = row.diagnostics === null ? null : diagnosticsSchema.safeParse(row.diagnostics);
    return {
      hostId: row.hostId,
      seq: parsed?.success ? row.seq : null,
      takenAt: parsed?.success && row.takenAt ? row.takenAt.toISOString() : null,
      diagnostics: parsed?.success ? parsed.data : null,
    };
  }
}
