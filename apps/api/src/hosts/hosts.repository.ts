import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { type Db, DbService } from '../database/db.service.ts';

/** A host row as the repository returns it: plain values. */
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

/** Whether the host (its id column in the outer query) holds a credential that is not revoked. */
export function hasActiveCredential(db: Db, hostId: 'hosts.id' | 'h.id') {
  return sql<boolean>`EXISTS (${db
    .selectFrom('host_credentials as c')
    .select(sql`1`.as('one'))
    .where('c.host_id', '=', sql.ref<string>(hostId))
    .where('c.revoked_at', 'is', null)})`;
}

/**
 * The builder over `hosts` selecting HostRow's columns. Not Prisma's model API: the ranking returns
 * every host with its JSON summary, and at 10,000 hosts Prisma's per-value mapping took most of a second.
 */
function selectHosts(db: Db) {
  return db
    .selectFrom('hosts')
    .select([
      'id',
      'machine_id as machineId',
      'hostname',
      'labels',
      'last_seen_at as lastSeenAt',
      'pressure',
      'summary',
      sql<number>`dropped_snapshots::float8`.as('droppedSnapshots'),
      hasActiveCredential(db, 'hosts.id').as('credentialActive'),
      'agent_version as agentVersion',
    ]);
}

@Injectable()
export class HostsRepository {
  constructor(private readonly db: DbService) {}

  /** Every host, highest pressure first, hosts that never reported last. */
  async listRanked(): Promise<HostRow[]> {
    return selectHosts(this.db)
      .select((eb) => eb.selectFrom('host_trends as t').select('t.trend').whereRef('t.host_id', '=', 'hosts.id').as('trend'))
      .orderBy(sql`pressure DESC NULLS LAST`)
      .orderBy('hostname', 'asc')
      .execute();
  }

  async findById(id: string): Promise<HostRow | null> {
    return (await selectHosts(this.db).where('id', '=', id).executeTakeFirst()) ?? null;
  }

  /**
   * Deletes the host (its rows in other tables go by ON DELETE CASCADE) and unlinks the delivery
   * log from its incidents (the outbox has no foreign key to them), in one transaction; false when
   * there was no such host.
   */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('alert_deliveries')
        .set({ incident_id: null })
        .where('incident_id', 'in', tx.selectFrom('alert_incidents').select('id').where('host_id', '=', id))
        .execute();
      // no foreign key from host_identities (it is to be a Citus reference table): removed here
      await tx.deleteFrom('host_identities').where('host_id', '=', id).execute();
      const deleted = await tx.deleteFrom('hosts').where('id', '=', id).executeTakeFirst();
      return deleted.numDeletedRows > 0n;
    });
  }
}
