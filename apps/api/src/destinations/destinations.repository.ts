import { Inject, Injectable } from '@nestjs/common';
import type { EgressLimit } from '@portpressure/protocol';
import { PgPoolService } from '../database/pg-pool.service.ts';

/** What the destinations projection needs of a host besides its tuples. */
export interface DestinationHostRow {
  id: string;
  hostname: string;
  /** The explicit group, else the egress label's value, else null. */
  group: string | null;
  /** Its latest snapshot's taken_at: unchanged means its tuples are too. */
  latestTakenAt: Date;
}

/** A host's egress group: the explicit one (null when it follows its label) and the one in effect. */
export interface HostEgressGroupRow {
  explicit: string | null;
  group: string | null;
}

@Injectable()
export class DestinationsRepository {
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  /** Hosts in the fleet (reported at least once, not archived), these or all, with their egress group. */
  async hosts(label: string, ids: readonly string[] | null): Promise<DestinationHostRow[]> {
    const { rows } = await this.pool.query<DestinationHostRow>(
      `SELECT h.id, h.hostname, COALESCE(g.egress_group, NULLIF(h.labels->>$1, '')) AS "group", h.latest_taken_at AS "latestTakenAt"
       FROM hosts h LEFT JOIN host_egress_groups g ON g.host_id = h.id
       WHERE h.latest_taken_at IS NOT NULL AND h.archived_at IS NULL AND ($2::uuid[] IS NULL OR h.id = ANY($2::uuid[]))`,
      [label, ids],
    );
    return rows;
  }

  /** The host's egress group, or null when there is no such host. */
  async hostGroup(label: string, hostId: string): Promise<HostEgressGroupRow | null> {
    const { rows } = await this.pool.query<HostEgressGroupRow>(
      `SELECT g.egress_group AS explicit, COALESCE(g.egress_group, NULLIF(h.labels->>$1, '')) AS "group"
       FROM hosts h LEFT JOIN host_egress_groups g ON g.host_id = h.id WHERE h.id = $2::uuid`,
      [label, hostId],
    );
    return rows[0] ?? null;
  }

  /** Sets (or with null, clears) a host's explicit group; false when the host does not exist. */
  async setHostGroup(hostId: string, group: string | null): Promise<boolean> {
    if (group === null) {
      const { rows } = await this.pool.query(
        `WITH gone AS (DELETE FROM host_egress_groups WHERE host_id = $1::uuid) SELECT 1 FROM hosts WHERE id = $1::uuid`,
        [hostId],
      );
      return rows.length > 0;
    }
    const { rowCount } = await this.pool.query(
      `INSERT INTO host_egress_groups (host_id, egress_group, updated_at)
       SELECT id, $2, now() FROM hosts WHERE id = $1::uuid
       ON CONFLICT (host_id) DO UPDATE SET egress_group = EXCLUDED.egress_group, updated_at = now()`,
      [hostId, group],
    );
    return (rowCount ?? 0) > 0;
  }

  async limits(): Promise<EgressLimit[]> {
    const { rows } = await this.pool.query<EgressLimit>(
      `SELECT remote_address AS "remoteAddress", remote_port AS "remotePort", connection_limit AS "limit"
       FROM egress_limits ORDER BY remote_address, remote_port`,
    );
    return rows;
  }

  async limit(remoteAddress: string, remotePort: number): Promise<EgressLimit | null> {
    const { rows } = await this.pool.query<EgressLimit>(
      `SELECT remote_address AS "remoteAddress", remote_port AS "remotePort", connection_limit AS "limit"
       FROM egress_limits WHERE remote_address = $1 AND remote_port = $2`,
      [remoteAddress, remotePort],
    );
    return rows[0] ?? null;
  }

  async setLimit(limit: EgressLimit): Promise<void> {
    await this.pool.query(
      `INSERT INTO egress_limits (remote_address, remote_port, connection_limit, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (remote_address, remote_port) DO UPDATE SET connection_limit = EXCLUDED.connection_limit, updated_at = now()`,
      [limit.remoteAddress, limit.remotePort, limit.limit],
    );
  }

  /** False when no limit was set for the destination. */
  async deleteLimit(remoteAddress: string, remotePort: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM egress_limits WHERE remote_address = $1 AND remote_port = $2`, [
      remoteAddress,
      remotePort,
    ]);
    return (rowCount ?? 0) > 0;
  }
}
