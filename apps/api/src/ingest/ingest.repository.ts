import { Inject, Injectable } from '@nestjs/common';
import type { Labels, Snapshot } from '@portpressure/protocol';
import { copyText, simpleQuery, sqlLiteral } from '../database/pg-copy.ts';
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
 * A batch is one simple query, so one round trip, run by PostgreSQL as one implicit transaction.
 *
 * First statement: lock the batch's hosts in id order (so concurrent batches, and other writers of
 * host rows that lock in id order too, never deadlock), move their headline figures forward, and
 * insert the snapshots under the ids reserved for them. `ON CONFLICT (host_id, seq) DO NOTHING`
 * makes a resend harmless; RETURNING says which were new. The rows arrive as one JSON literal
 * (the simple protocol has no parameters; json_to_recordset reads it in one pass).
 */
const storeSnapshotsSql = (inputLiteral: string) => `
WITH input AS (
  SELECT * FROM json_to_recordset(${inputLiteral}::json)
    AS i(idx int, id bigint, host_id uuid, seq bigint, taken_at timestamptz, source text, range_low int, range_high int,
         reserved_ports text, reserved_in_range int, capacity int, bind_owned int, usable int, host_ports_in_use int,
         pressure float8, tuple_count int, udp_used int, sysctls jsonb, summary jsonb)
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
    summary = CASE WHEN h.latest_taken_at IS NULL OR h.latest_taken_at <= l.taken_at THEN l.summary ELSE h.summary END,
    latest_taken_at = GREATEST(h.latest_taken_at, l.taken_at)
  FROM latest l JOIN locked k ON k.id = l.host_id
  WHERE h.id = l.host_id
)
INSERT INTO snapshots (id, host_id, seq, taken_at, source, range_low, range_high, reserved_ports, reserved_in_range,
                       capacity, bind_owned, usable, host_ports_in_use, pressure, tuple_count, udp_used, sysctls)
SELECT id, host_id, seq, taken_at, source, range_low, range_high, reserved_ports, reserved_in_range, capacity,
       bind_owned, usable, host_ports_in_use, pressure, tuple_count, udp_used, sysctls
FROM input ORDER BY idx
ON CONFLICT (host_id, seq) DO NOTHING
RETURNING id`;

/** Second: the tuples, with COPY, PostgreSQL's fastest way in, under their snapshots' reserved ids. */
const COPY_TUPLES_SQL = `COPY tuple_samples (snapshot_id, ordinal, protocol, local_address, remote_address, remote_port, used,
  time_wait, reclaimable, pressure, states) FROM STDIN`;

/**
 * Third: tuples whose snapshot was not inserted (a resend: that host and seq were stored before)
 * go again. Looks up only this batch's ids, and tuple_samples only for the missing ones, so the
 * usual batch without resends costs one primary-key probe per snapshot.
 */
const deleteOrphanTuplesSql = (ids: readonly string[]) => `
DELETE FROM tuple_samples WHERE snapshot_id IN (
  SELECT x.id FROM unnest('{${ids.join(',')}}'::bigint[]) AS x(id) WHERE NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.id = x.id))`;

/** Snapshot ids reserved ahead, so a batch knows its ids before it is sent. */
const ID_RESERVE = 4000;

@Injectable()
export class IngestRepository {
  private reservedIds: string[] = [];
  private reserving: Promise<void> | undefined;

  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  /**
   * Stores a batch of snapshots, their tuples and the hosts' headline figures in one transaction
   * and one round trip, whatever the batch size: the ids come from a reserve taken from the
   * snapshots sequence ahead of time, so the tuples' COPY need not wait for the snapshots' insert,
   * and the three statements go as one simple query. (On a busy event loop each round trip also
   * waits for this process to read the answer; a batch used to take four.) Returns, per input,
   * whether it was inserted now (false: that host and seq were already stored, or repeated earlier
   * in the same batch). Within a batch, ids follow the input order.
   */
  async storeBatch(writes: readonly SnapshotWrite[]): Promise<boolean[]> {
    // A (host, seq) repeated inside one batch is stored from its first occurrence only.
    const seen = new Set<string>();
    const first: number[] = [];
    writes.forEach(({ hostId, snapshot }, i) => {
      const key = `${hostId}/${snapshot.seq}`;
      if (seen.has(key)) return;
      seen.add(key);
      first.push(i);
    });
    const ids = await this.takeIds(first.length);
    const input: object[] = [];
    let rows = '';
    const indexOfId = new Map<string, number>();
    first.forEach((i, k) => {
      const { hostId, snapshot, summary } = writes[i]!;
      const id = ids[k]!;
      indexOfId.set(id, i);
      const r = snapshot.report;
      input.push({
        idx: i, id, host_id: hostId, seq: snapshot.seq, taken_at: snapshot.takenAt, source: r.source,
        range_low: r.range.low, range_high: r.range.high, reserved_ports: r.reservedPorts, reserved_in_range: r.reservedInRange,
        capacity: r.capacity, bind_owned: r.bindOwned, usable: r.usable, host_ports_in_use: r.hostPortsInUse,
        pressure: r.pressure, tuple_count: r.tupleCount, udp_used: r.udp.used, sysctls: r.sysctls, summary,
      });
      // Every value is validated by the protocol (addresses, enums, numbers, JSON of numbers), so
      // only the free-form JSON goes through COPY's escaping.
      r.tuples.forEach((t, ordinal) => {
        rows += `${id}\t${ordinal}\t${t.protocol}\t${t.localAddress}\t${t.remoteAddress}\t${t.remotePort}\t${t.used}\t${t.timeWait}\t${t.reclaimable}\t${t.pressure}\t${copyText(JSON.stringify(t.states))}\n`;
      });
    });
    const sql = [storeSnapshotsSql(sqlLiteral(JSON.stringify(input)))];
    if (rows.length > 0) sql.push(COPY_TUPLES_SQL, deleteOrphanTuplesSql(ids));
    const client = await this.pool.connect();
    try {
      const [inserted] = await simpleQuery(client, sql.join(';\n'), rows.length > 0 ? [rows] : []);
      const stored = new Set<number>();
      for (const [id] of inserted?.rows ?? []) {
        const i = id === null || id === undefined ? undefined : indexOfId.get(id);
        if (i !== undefined) stored.add(i);
      }
      return writes.map((_, i) => stored.has(i));
    } finally {
      client.release();
    }
  }

  /** `n` unused snapshot ids, in increasing order; the reserve is topped up ahead of need. */
  private async takeIds(n: number): Promise<string[]> {
    while (this.reservedIds.length < n) await this.reserveIds(Math.max(ID_RESERVE, n));
    const ids = this.reservedIds.splice(0, n);
    if (this.reservedIds.length < ID_RESERVE / 2) void this.reserveIds(ID_RESERVE).catch(() => undefined);
    return ids;
  }

  private reserveIds(count: number): Promise<void> {
    this.reserving ??= this.pool
      .query<{ id: string }>(
        // in increasing order, so that ids taken from the front follow the order snapshots arrive in
        `SELECT id::text FROM (SELECT nextval(pg_get_serial_sequence('snapshots', 'id')) AS id FROM generate_series(1, $1::int)) r
         ORDER BY r.id`,
        [count],
      )
      .then(({ rows }) => {
        for (const { id } of rows) this.reservedIds.push(id);
      })
      .finally(() => (this.reserving = undefined));
    return this.reserving;
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
