import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.ts';
import { Prisma } from '../generated/prisma/client.ts';

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
  /** The stored HostTrend (listRanked only). */
  trend?: unknown;
}

const HOST_COLUMNS = Prisma.raw(`id, machine_id AS "machineId", hostname, labels, last_seen_at AS "lastSeenAt", pressure, summary,
  dropped_snapshots::float8 AS "droppedSnapshots",
  EXISTS (SELECT 1 FROM host_credentials c WHERE c.host_id = hosts.id AND c.revoked_at IS NULL) AS "credentialActive"`);

@Injectable()
export class HostsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Every host, highest pressure first, hosts that never reported last. */
  async listRanked(): Promise<HostRow[]> {
    return this.prisma.$queryRaw<HostRow[]>`
      SELECT ${HOST_COLUMNS}, trend FROM hosts ORDER BY pressure DESC NULLS LAST, hostname ASC`;
  }

  async findById(id: string): Promise<HostRow | null> {
    const rows = await this.prisma.$queryRaw<HostRow[]>`SELECT ${HOST_COLUMNS} FROM hosts WHERE id = ${id}::uuid`;
    return rows[0] ?? null;
  }
}
