import { Inject, Injectable } from '@nestjs/common';
import type { Labels, Snapshot } from '@portpressure/protocol';
import { copyFrom, copyText } from '../database/pg-copy.ts';
import { PgPoolService } from '../database/pg-pool.service.ts';
import type { StoredSummary } from '../hosts/host-summary.ts';

/** One snapshot to store for a host, with the headline figures the host row keeps. */
export interface SnapshotWrite {
  hostId: string;
  snapshot: Snapshot;
  summary: StoredSummary;
}

/** What a hello refreshes and reads back. */
export interface HostLinkState {
  lastSeq: number;
  droppedSnapshots: number;
}

/**
 * First statement of a batch: lock the batch's hosts in id order (so concurrent batches, and other
 * writers of host rows that lock in id order too, never deadlock), move their headline figures
 * forward, and insert the snapshots. `ON CONFLICT (host_id, seq) DO NOTHING` makes a resend
 * harmless; RETURNING says which were new, and only those get tuples (the COPY that follows).
 */
const STORE_SNAPSHOTS_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::int[], $2::uuid[], $3::bigint[], $4::timestamptz[], $5::text[], $6::int[], $7::int[],
                       $8::text[], $9::int[], $10::int[], $11::int[], $12::int[], $13::int[], $14::float8[],
                       $15::int[], $16::int[], $17::text[], $18::text[])
    AS i(idx, host_id, seq, taken_at, source, range_low, range_high, reserved_ports, reserved_in_range, capacity,
         bind_owned, usable, host_ports_in_use, pressure, tuple_count, udp_used, sysctls, summary)
),
locked AS (
  SELECT id FROM hosts WHERE id IN (SELECT host_id FROM input) ORDER BY id FOR NO KEY UPDATE
),
latest AS (
  SELECT DISTINCT ON (host_id) host_id, taken_at, pressure, summary, max(seq) OVER (PARTITION BY host_id) AS max_seq
  FROM input ORDER BY host_id, taken_at DESC, seq DESC
),
hosts_updated AS (
  UPDATE hosts h SET
    last_seen_at = now(),
    last_seq = GREATEST(h.last_seq, l.max_seq),
    pressure = CASE WHEN h.latest_taken_at IS NULL OR h.latest_taken_at <= l.taken_at THEN l.pressure ELSE h.pressure END,
    summary = CASE WHEN h.latest_taken_at IS NULL OR h.latest_taken_at <= l.taken_at THEN l.summary::jsonb ELSE h.summary END,
    latest_taken_at = GREATEST(h.latest_taken_at, l.taken_at)
  FROM latest l JOIN locked k ON k.id = l.host_id
  WHERE h.id = l.host_id
)
INSERT INTO snapshots (host_id, seq, taken_at, source, range_low, range_high, reserved_ports, reserved_in_range,
                       capacity, bind_owned, usable, host_ports_in_use, pressure, tuple_count, udp_used, sysctls)
SELECT host_id, seq, taken_at, source, range_low, range_high, reserved_ports, reserved_in_range, capacity,
       bind_owned, usable, host_ports_in_use, pressure, tuple_count, udp_used, sysctls::jsonb
FROM input ORDER BY idx
ON CONFLICT (host_id, seq) DO NOTHING
RETURNING id, host_id AS "hostId", seq::float8 AS seq`;

/** Second statement: the tuples of the new snapshots, with COPY, PostgreSQL's fastest way in. */
const COPY_TUPLES_SQL = `COPY tuple_samples (snapshot_id, host_id, taken_at, protocol, local_address, remote_address,
  remote_port, used, time_wait, reclaimable, pressure, states) FROM STDIN`;

@Injectable()
export class IngestRepository {
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  /**
   * Stores a batch of snapshots, their tuples and the hosts' headline figures in one transaction
   * (four round trips whatever the batch size). Returns, per input, whether it was inserted now
   * (false: that host and seq were already stored, or repeated earlier in the same batch). Within
   * a batch, snapshots keep their order: ids follow the input order.
   */
  async storeBatch(writes: readonly SnapshotWrite[]): Promise<boolean[]> {
    // A (host, seq) repeated inside one batch is stored from its first occurrence only.
    const firstIndex = new Map<string, number>();
    const cols = {
      idx: [] as number[], hostId: [] as string[], seq: [] as number[], takenAt: [] as string[], source: [] as string[],
      rangeLow: [] as number[], rangeHigh: [] as number[], reservedPorts: [] as string[], reservedInRange: [] as number[],
      capacity: [] as number[], bindOwned: [] as number[], usable: [] as number[], hostPortsInUse: [] as number[],
      pressure: [] as number[], tupleCount: [] as number[], udpUsed: [] as number[], sysctls: [] as string[], summary: [] as string[],
    };
    writes.forEach(({ hostId, snapshot, summary }, i) => {
      const key = `${hostId}/${snapshot.seq}`;
      if (firstIndex.has(key)) return;
      firstIndex.set(key, i);
      const r = snapshot.report;
      cols.idx.push(i);
      cols.hostId.push(hostId);
      cols.seq.push(snapshot.seq);
      cols.takenAt.push(snapshot.takenAt);
      cols.source.push(r.source);
      cols.rangeLow.push(r.range.low);
      cols.rangeHigh.push(r.range.high);
      cols.reservedPorts.push(r.reservedPorts);
      cols.reservedInRange.push(r.reservedInRange);
      cols.capacity.push(r.capacity);
      cols.bindOwned.push(r.bindOwned);
      cols.usable.push(r.usable);
      cols.hostPortsInUse.push(r.hostPortsInUse);
      cols.pressure.push(r.pressure);
      cols.tupleCount.push(r.tupleCount);
      cols.udpUsed.push(r.udp.used);
      cols.sysctls.push(JSON.stringify(r.sysctls));
      cols.summary.push(JSON.stringify(summary));
    });
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query<{ id: string; hostId: string; seq: number }>(STORE_SNAPSHOTS_SQL, [
        cols.idx, cols.hostId, cols.seq, cols.takenAt, cols.source, cols.rangeLow, cols.rangeHigh, cols.reservedPorts,
        cols.reservedInRange, cols.capacity, cols.bindOwned, cols.usable, cols.hostPortsInUse, cols.pressure,
        cols.tupleCount, cols.udpUsed, cols.sysctls, cols.summary,
      ]);
      const stored = new Set<number>();
      let rows = '';
      for (const { id, hostId, seq } of inserted.rows) {
        const i = firstIndex.get(`${hostId}/${seq}`);
        if (i === undefined) continue;
        stored.add(i);
        const { snapshot } = writes[i]!;
        // Every value is validated by the protocol (addresses, enums, numbers, JSON of numbers), so
        // only the free-form JSON goes through COPY's escaping.
        const prefix = `${id}\t${hostId}\t${snapshot.takenAt}\t`;
        for (const t of snapshot.report.tuples) {
          rows += `${prefix}${t.protocol}\t${t.localAddress}\t${t.remoteAddress}\t${t.remotePort}\t${t.used}\t${t.timeWait}\t${t.reclaimable}\t${t.pressure}\t${copyText(JSON.stringify(t.states))}\n`;
        }
      }
      if (rows.length > 0) await copyFrom(client, COPY_TUPLES_SQL, rows);
      await client.query('COMMIT');
      return writes.map((_, i) => stored.has(i));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** A hello refreshes the host's labels and agent version, and reads where its sequence stands. */
  async refreshHost(hostId: string, labels: Labels, agentVersion: string): Promise<HostLinkState | null> {
    const { rows } = await this.pool.query<HostLinkState>(
      `UPDATE hosts SET labels = $2::jsonb, agent_version = $3 WHERE id = $1::uuid
       RETURNING last_seq::float8 AS "lastSeq", dropped_snapshots::float8 AS "droppedSnapshots"`,
      [hostId, JSON.stringify(labels), agentVersion],
    );
    return rows[0] ?? null;
  }

  /**
   * Records snapshots the agent dropped (fromSeq … toSeq), widening an earlier report of the same
   * gap, and recounts the host's dropped snapshots, in one transaction. Returns the new count.
   */
  async recordGap(hostId: string, fromSeq: number, toSeq: number): Promise<number> {
    return this.pool.transaction(async (client) => {
      await client.query(
        `INSERT INTO snapshot_gaps (host_id, from_seq, to_seq) VALUES ($1::uuid, $2, $3)
         ON CONFLICT (host_id, from_seq) DO UPDATE SET to_seq = GREATEST(snapshot_gaps.to_seq, EXCLUDED.to_seq)`,
        [hostId, fromSeq, toSeq],
      );
      // Counted over the union of the ranges: an agent that re-reports part of a gap (a report
      // crossed its widening) never counts a snapshot twice.
      const { rows } = await client.query<{ dropped: number }>(
        `UPDATE hosts SET dropped_snapshots = (
           SELECT COALESCE(sum(upper(r) - lower(r)), 0)
           FROM unnest((SELECT range_agg(int8range(from_seq, to_seq, '[]')) FROM snapshot_gaps WHERE host_id = $1::uuid)) AS r)
         WHERE id = $1::uuid RETURNING dropped_snapshots::float8 AS dropped`,
        [hostId],
      );
      return rows[0]?.dropped ?? 0;
    });
  }
}
