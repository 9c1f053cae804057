import { Inject, Injectable } from '@nestjs/common';
import type { EgressLimit } from '@portpressure/protocol';
import { sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';

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

/** The group in effect: the explicit one, else the label's value (an empty value is none). */
const groupInEffect = (label: string) => sql<string | null>`COALESCE(g.egress_group, NULLIF(h.labels->>${label}, ''))`;

const LIMIT_COLUMNS = ['remote_address as remoteAddress', 'remote_port as remotePort', 'connection_limit as limit'] as const;

@Injectable()
export class DestinationsRepository {
  constructor(@Inject(DbService) private readonly db: Db) {}

  /** Hosts in the fleet (reported at least once, not archived), these or all, with their egress group. */
  async hosts(label: string, ids: readonly string[] | null): Promise<DestinationHostRow[]> {
    const { rows } = await sql<DestinationHostRow>`
      SELECT h.id, h.hostname, ${groupInEffect(label)} AS "group", h.latest_taken_at AS "latestTakenAt"
      FROM hosts h LEFT JOIN host_egress_groups g ON g.host_id = h.id
      WHERE h.latest_taken_at IS NOT NULL AND h.archived_at IS NULL AND (${ids}::uuid[] IS NULL OR h.id = ANY(${ids}::uuid[]))`.execute(
      this.db,
    );
    return rows;
  }

  /** The host's egress group, or null when there is no such host. */
  async hostGroup(label: string, hostId: string): Promise<HostEgressGroupRow | null> {
    const { rows } = await sql<HostEgressGroupRow>`
      SELECT g.egress_group AS explicit, ${groupInEffect(label)} AS "group"
      FROM hosts h LEFT JOIN host_egress_groups g ON g.host_id = h.id WHERE h.id = ${hostId}::uuid`.execute(this.db);
    return rows[0] ?? null;
  }

  /** Sets (or with null, clears) a host's explicit group; false when the host does not exist. */
  async setHostGroup(hostId: string, group: string | null): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const host = await tx.selectFrom('hosts').select('id').where('id', '=', hostId).forUpdate().executeTakeFirst();
      if (host === undefined) return false;
      if (group === null) await tx.deleteFrom('host_egress_groups').where('host_id', '=', hostId).execute();
      else {
        await tx
          .insertInto('host_egress_groups')
          .values({ host_id: hostId, egress_group: group, updated_at: new Date() })
          .onConflict((oc) => oc.column('host_id').doUpdateSet({ egress_group: group, updated_at: new Date() }))
          .execute();
      }
      return true;
    });
  }

  async limits(): Promise<EgressLimit[]> {
    return this.db.selectFrom('egress_limits').select(LIMIT_COLUMNS).orderBy('remote_address').orderBy('remote_port').execute();
  }

  async limit(remoteAddress: string, remotePort: number): Promise<EgressLimit | null> {
    const row = await this.db
      .selectFrom('egress_limits')
      .select(LIMIT_COLUMNS)
      .where('remote_address', '=', remoteAddress)
      .where('remote_port', '=', remotePort)
      .executeTakeFirst();
    return row ?? null;
  }

  async setLimit(limit: EgressLimit): Promise<void> {
    await this.db
      .insertInto('egress_limits')
      .values({ remote_address: limit.remoteAddress, remote_port: limit.remotePort, connection_limit: limit.limit, updated_at: new Date() })
      .onConflict((oc) =>
        oc.columns(['remote_address', 'remote_port']).doUpdateSet({ connection_limit: limit.limit, updated_at: new Date() }),
      )
      .execute();
  }

  /** False when no limit was set for the destination. */
  async deleteLimit(remoteAddress: string, remotePort: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('egress_limits')
      .where('remote_address', '=', remoteAddress)
      .where('remote_port', '=', remotePort)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
