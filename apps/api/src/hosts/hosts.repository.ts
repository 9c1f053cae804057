import { Inject, Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.ts';

/** A host row as the repository returns it: plain values, no Prisma types. */
export interface HostRow {
  id: string;
  machineId: string;
  hostname: string;
  labels: unknown;
  lastSeenAt: Date | null;
  pressure: number | null;
  summary: unknown;
  /** Snapshots the agent reported dropping from its spool. */
  droppedSnapshots: number;
  /** Whether the host holds a credential that is not revoked. */
  credentialActive: boolean;
  /** The version the host's agent last reported. */
  agentVersion?: string | null;
  /** The stored HostTrend (listRanked only). */
  trend?: unknown;
}

const HOST_COLUMNS = `id, machine_id AS "machineId", hostname, labels, last_seen_at AS "lastSeenAt", pressure, summary,
  dropped_snapshots::float8 AS "droppedSnapshots",
  EXISTS (SELECT 1 FROM host_credentials c WHERE c.host_id = hosts.id AND c.revoked_at IS NULL) AS "credentialActive",
  agent_version AS "agentVersion"`;

/**
 * Plain `pg` rather than Prisma: the ranking returns every host with its JSON summary, and at
 * 10,000 hosts Prisma's per-value mapping took most of a second.
 */
@Injectable()
export class HostsRepository {
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  /** Every host, highest pressure first, hosts that never reported last. */
  async listRanked(): Promise<HostRow[]> {
    return (
      await this.pool.query<HostRow>(
        `SELECT ${HOST_COLUMNS}, (SELECT trend FROM host_trends t WHERE t.host_id = hosts.id) AS trend FROM hosts ORDER BY pressure DESC NULLS LAST, hostname ASC`,
      )
    ).rows;
  }

  async findById(id: string): Promise<HostRow | null> {
    return (await this.pool.query<HostRow>(`SELECT ${HOST_COLUMNS} FROM hosts WHERE id = $1::uuid`, [id])).rows[0] ?? null;
  }

  /**
   * Deletes the host (its rows in other tables go by ON DELETE CASCADE) and unlinks the delivery
   * log from its incidents (the outbox has no foreign key to them), in one transaction; false when
   * there was no such host.
   */
  async delete(id: string): Promise<boolean> {
    return this.pool.transaction(async (client) => {
      await client.query(
        `UPDATE alert_deliveries SET incident_id = NULL
         WHERE incident_id IN (SELECT id FROM alert_incidents WHERE host_id = $1::uuid)`,
        [id],
      );
      // no foreign key from host_identities (it is to be a Citus reference table): removed here
      await client.query('DELETE FROM host_identities WHERE host_id = $1::uuid', [id]);
      return ((await client.query('DELETE FROM hosts WHERE id = $1::uuid', [id])).rowCount ?? 0) > 0;
    });
  }
}
