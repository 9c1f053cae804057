import { Inject, Injectable } from '@nestjs/common';
import type { HostIdentity, Snapshot } from '@portpressure/protocol';
import { PrismaService } from '../database/prisma.service.ts';
import type { StoredSummary } from '../hosts/host-summary.ts';

export interface EnrolledHost {
  id: string;
  lastSeq: number;
}

@Injectable()
export class IngestRepository {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Creates the host on first contact, refreshes its labels and agent version afterwards. */
  async upsertHost(identity: HostIdentity, agentVersion: string): Promise<EnrolledHost> {
    const rows = await this.prisma.$queryRaw<{ id: string; lastSeq: bigint }[]>`
      INSERT INTO hosts (machine_id, hostname, labels, agent_version)
      VALUES (${identity.machineId}, ${identity.hostname}, ${JSON.stringify(identity.labels)}::jsonb, ${agentVersion})
      ON CONFLICT (machine_id, hostname)
      DO UPDATE SET labels = EXCLUDED.labels, agent_version = EXCLUDED.agent_version
      RETURNING id, last_seq AS "lastSeq"`;
    const row = rows[0];
    if (!row) throw new Error('host upsert returned no row');
    return { id: row.id, lastSeq: Number(row.lastSeq) };
  }

  /**
   * Stores one snapshot and its tuples in one transaction and moves the host's headline figures
   * forward when it is the newest. Returns false when (host, seq) was already stored: the caller
   * acks it again, and nothing is written twice.
   */
  async storeSnapshot(hostId: string, snapshot: Snapshot, summary: StoredSummary): Promise<boolean> {
    const r = snapshot.report;
    const takenAt = new Date(snapshot.takenAt);
    const t = r.tuples;
    return this.prisma.$transaction(async (tx) => {
      const inserted = await tx.$queryRaw<{ id: bigint }[]>`
        INSERT INTO snapshots (host_id, seq, taken_at, source, range_low, range_high, reserved_ports,
          reserved_in_range, capacity, bind_owned, usable, host_ports_in_use, pressure, tuple_count, udp_used, sysctls)
        VALUES (${hostId}::uuid, ${snapshot.seq}, ${takenAt}, ${r.source}, ${r.range.low}, ${r.range.high},
          ${r.reservedPorts}, ${r.reservedInRange}, ${r.capacity}, ${r.bindOwned}, ${r.usable}, ${r.hostPortsInUse},
          ${r.pressure}, ${r.tupleCount}, ${r.udp.used}, ${JSON.stringify(r.sysctls)}::jsonb)
        ON CONFLICT (host_id, seq) DO NOTHING
        RETURNING id`;
      const snapshotId = inserted[0]?.id;
      if (snapshotId === undefined) return false;
      if (t.length > 0) {
        await tx.$executeRaw`
          INSERT INTO tuple_samples (snapshot_id, host_id, taken_at, protocol, local_address, remote_address,
            remote_port, used, time_wait, reclaimable, pressure, states)
          SELECT ${snapshotId}, ${hostId}::uuid, ${takenAt}, u.protocol, u.local_address, u.remote_address,
            u.remote_port, u.used, u.time_wait, u.reclaimable, u.pressure, u.states::jsonb
          FROM unnest(${t.map((x) => x.protocol)}::text[], ${t.map((x) => x.localAddress)}::text[],
            ${t.map((x) => x.remoteAddress)}::text[], ${t.map((x) => x.remotePort)}::int[],
            ${t.map((x) => x.used)}::int[], ${t.map((x) => x.timeWait)}::int[], ${t.map((x) => x.reclaimable)}::int[],
            ${t.map((x) => x.pressure)}::float8[], ${t.map((x) => JSON.stringify(x.states))}::text[])
            AS u(protocol, local_address, remote_address, remote_port, used, time_wait, reclaimable, pressure, states)`;
      }
      await tx.$executeRaw`
        UPDATE hosts SET
          last_seen_at = now(),
          last_seq = GREATEST(last_seq, ${snapshot.seq}),
          pressure = CASE WHEN latest_taken_at IS NULL OR latest_taken_at <= ${takenAt} THEN ${r.pressure} ELSE pressure END,
          summary = CASE WHEN latest_taken_at IS NULL OR latest_taken_at <= ${takenAt} THEN ${JSON.stringify(summary)}::jsonb ELSE summary END,
          latest_taken_at = GREATEST(latest_taken_at, ${takenAt})
        WHERE id = ${hostId}::uuid`;
      return true;
    });
  }
}
