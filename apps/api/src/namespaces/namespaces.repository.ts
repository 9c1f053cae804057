import { Injectable } from '@nestjs/common';
import type { NamespaceContainer, NamespacePod } from '@portpressure/protocol';
import { CompiledQuery } from 'kysely';
import { DbService } from '../database/db.service.ts';
import type { NamespaceSummary } from '../ingest/namespace-state.ts';

/** One row of host_namespaces as REST needs it. */
export interface NamespaceRecord {
  hostId: string;
  nsNo: number;
  inode: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  goneAt: Date | null;
  name: string | null;
  pod: NamespacePod | null;
  containers: NamespaceContainer[];
  label: string;
  pressure: number;
  summary: NamespaceSummary;
}

/** What the host's own namespace shows: the host row's latest figures. */
export interface HostOwnRecord {
  createdAt: Date;
  latestTakenAt: Date | null;
  pressure: number | null;
  summary: { usable?: number | null; tupleCount?: number | null; worstTuple?: Record<string, unknown> | null } | null;
}

export interface WorkloadRecord extends NamespaceRecord {
  hostname: string;
}

const COLUMNS = `n.host_id AS "hostId", n.ns_no AS "nsNo", n.inode::float8 AS inode, n.first_seen_at AS "firstSeenAt",
  n.last_seen_at AS "lastSeenAt", n.gone_at AS "goneAt", n.name, n.pod, n.containers, n.label, n.pressure, n.summary`;

@Injectable()
export class NamespacesRepository {
  constructor(private readonly db: DbService) {}

  private async query<R>(text: string, values: unknown[]): Promise<{ rows: R[] }> {
    return this.db.executeQuery<R>(CompiledQuery.raw(text, values));
  }

  /** The host row's figures for its own namespace, or null for an unknown host. */
  async hostOwn(hostId: string): Promise<HostOwnRecord | null> {
    const { rows } = await this.query<HostOwnRecord>(
      `SELECT created_at AS "createdAt", latest_taken_at AS "latestTakenAt", pressure, summary FROM hosts WHERE id = $1::uuid`,
      [hostId],
    );
    return rows[0] ?? null;
  }

  /** A host's namespaces other than its own: those that exist, and the gone ones too when asked. */
  async ofHost(hostId: string, includeGone: boolean): Promise<NamespaceRecord[]> {
    const { rows } = await this.query<NamespaceRecord>(
      `SELECT ${COLUMNS} FROM host_namespaces n WHERE n.host_id = $1::uuid AND ($2::bool OR n.gone_at IS NULL)`,
      [hostId, includeGone],
    );
    return rows;
  }

  async one(hostId: string, nsNo: number): Promise<NamespaceRecord | null> {
    const { rows } = await this.query<NamespaceRecord>(
      `SELECT ${COLUMNS} FROM host_namespaces n WHERE n.host_id = $1::uuid AND n.ns_no = $2`,
      [hostId, nsNo],
    );
    return rows[0] ?? null;
  }

  /** The fleet's existing namespaces (hosts' own and archived hosts' left out), highest pressure first, and how many there are. */
  async workloads(limit: number): Promise<{ total: number; rows: WorkloadRecord[] }> {
    const { rows } = await this.query<WorkloadRecord & { total: number }>(
      `SELECT ${COLUMNS}, h.hostname, count(*) OVER ()::int AS total
       FROM host_namespaces n JOIN hosts h ON h.id = n.host_id
       WHERE n.gone_at IS NULL AND h.archived_at IS NULL
       ORDER BY n.pressure DESC, h.hostname, n.host_id, n.ns_no
       LIMIT $1`,
      [limit],
    );
    return { total: rows[0]?.total ?? 0, rows };
  }
}
