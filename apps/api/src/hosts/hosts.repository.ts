import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.ts';

/** A host row as the repository returns it: plain values, no Prisma types. */
export interface HostRow {
  id: string;
  machineId: string;
  hostname: string;
  labels: unknown;
  lastSeenAt: Date | null;
  pressure: number | null;
  summary: unknown;
}

@Injectable()
export class HostsRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Every host, highest pressure first, hosts that never reported last. */
  async listRanked(): Promise<HostRow[]> {
    return this.prisma.$queryRaw<HostRow[]>`
      SELECT id, machine_id AS "machineId", hostname, labels, last_seen_at AS "lastSeenAt", pressure, summary
      FROM hosts
      ORDER BY pressure DESC NULLS LAST, hostname ASC`;
  }

  async findById(id: string): Promise<HostRow | null> {
    const rows = await this.prisma.$queryRaw<HostRow[]>`
      SELECT id, machine_id AS "machineId", hostname, labels, last_seen_at AS "lastSeenAt", pressure, summary
      FROM hosts WHERE id = ${id}::uuid`;
    return rows[0] ?? null;
  }
}
