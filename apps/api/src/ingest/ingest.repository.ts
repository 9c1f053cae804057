import { Injectable } from '@nestjs/common';
import type { FleetWorstNamespaceFigures, Labels, PortReport, Snapshot } from '@portpressure/protocol';
import { CompiledQuery, sql } from 'kysely';
import { simpleQuery, sqlLiteral } from '../database/pg-copy.ts';
import { DbService } from '../database/db.service.ts';
import { encodeReport, TupleDictionary, type TupleKey } from '../history/snapshot-codec.ts';
import type { StoredSummary } from '../hosts/host-summary.ts';
import { HostNamespaceState, isSnapshotV2, type NamespaceRow, type NamespaceSample } from './namespace-state.ts';

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
 * New entries of the hosts' tuple dictionaries go in first (a plain INSERT: a number or tuple
 * another instance stored meanwhile fails the batch, and the instance reloads its dictionaries).
 * Then lock the batch's hosts in id order (so concurrent batches, and other writers of host rows
 * that lock in id order too, never deadlock), move their headline figures forward, and insert the
 * snapshots, compact (history/snapshot-codec.ts). A (host, seq) is stored once: a seq above the
 * host's last_seq (the usual case, seen before this statement's update) is new; one at or below it
 * is looked up by host and seq (resends only), so the same seq with another takenAt is not stored
 * either (the caller tells a resend from a clash); after a reset of the host's sequence baseline
 * (host-sequence/) only snapshots dated from seq_reset_at on count. `ON CONFLICT DO NOTHING` on (host_id,
 * taken_at, seq) covers two batches racing. RETURNING says which were new. The rows arrive as JSON literals
 * (the simple protocol has no parameters; json_to_recordset reads each in one pass).
 * Snapshots carrying diagnostics also replace their host's latest diagnostics (host_diagnostics),
 * unless a newer snapshot's are stored already; batches without any skip that part.
 */
const storeSnapshotsSql = (
  inputLiteral: string,
  tuplesLiteral: string | null,
  namespaces: NamespaceLiterals | null,
  diagnosticsLiteral: string | null,
) => `
WITH input AS (
  SELECT * FROM json_to_recordset(${inputLiteral}::json)
    AS i(idx int, host_id uuid, seq bigint, taken_at timestamptz, pressure float8, usable int, host_ports_in_use int,
         report text, summary jsonb, v2 bool, worst_namespace jsonb)
),${
  tuplesLiteral === null
    ? ''
    : `
new_tuples AS (
  INSERT INTO host_tuples (host_id, tuple_no, protocol, local_address, remote_address, remote_port)
  SELECT * FROM json_to_recordset(${tuplesLiteral}::json)
    AS t(host_id uuid, tuple_no int, protocol text, local_address text, remote_address text, remote_port int)
),`
}
locked AS (
  SELECT id FROM hosts WHERE id IN (SELECT host_id FROM input) ORDER BY id FOR NO KEY UPDATE
),
latest AS (
  SELECT DISTINCT ON (host_id) host_id, taken_at, pressure, summary, v2, worst_namespace, max(seq) OVER (PARTITION BY host_id) AS max_seq
  FROM input ORDER BY host_id, taken_at DESC, seq DESC
),
hosts_updated AS (
  UPDATE hosts h SET
    last_seen_at = now(),
    archived_at = NULL,
    last_seq = GREATEST(h.last_seq, l.max_seq),
    pressure = CASE WHEN h.latest_taken_at IS NULL OR h.latest_taken_at <= l.taken_at THEN l.pressure ELSE h.pressure END,
    summary = CASE WHEN h.latest_taken_at IS NULL OR h.latest_taken_at <= l.taken_at THEN l.summary ELSE h.summary END,
    worst_namespace = CASE WHEN l.v2 AND (h.latest_taken_at IS NULL OR h.latest_taken_at <= l.taken_at) THEN l.worst_namespace
                           ELSE h.worst_namespace END,
    latest_taken_at = GREATEST(h.latest_taken_at, l.taken_at)
  FROM latest l JOIN locked k ON k.id = l.host_id
  WHERE h.id = l.host_id
)${namespaces === null ? '' : namespacesSql(namespaces)}${
  diagnosticsLiteral === null
    ? ''
    : `,
diagnostics_stored AS (
  INSERT INTO host_diagnostics AS d (host_id, seq, taken_at, diagnostics)
  SELECT DISTINCT ON (host_id) host_id, seq, taken_at, diagnostics
  FROM json_to_recordset(${diagnosticsLiteral}::json) AS n(host_id uuid, seq bigint, taken_at timestamptz, diagnostics jsonb)
  WHERE host_id IN (SELECT id FROM locked)
  ORDER BY host_id, taken_at DESC, seq DESC
  ON CONFLICT (host_id) DO UPDATE SET seq = EXCLUDED.seq, taken_at = EXCLUDED.taken_at, diagnostics = EXCLUDED.diagnostics
  WHERE d.taken_at <= EXCLUDED.taken_at
)`
}
INSERT INTO snapshots (host_id, taken_at, seq, pressure, usable, host_ports_in_use, report)
SELECT i.host_id, i.taken_at, i.seq, i.pressure, i.usable, i.host_ports_in_use, decode(i.report, 'base64')
FROM input i
WHERE i.seq > (SELECT h.last_seq FROM hosts h WHERE h.id = i.host_id)
   OR NOT EXISTS (SELECT 1 FROM snapshots s JOIN hosts h ON h.id = s.host_id
                  WHERE s.host_id = i.host_id AND s.seq = i.seq AND (h.seq_reset_at IS NULL OR s.taken_at >= h.seq_reset_at))
ORDER BY i.idx
ON CONFLICT (host_id, taken_at, seq) DO NOTHING
RETURNING host_id, seq`;

interface NamespaceLiterals {
  rows: string;
  samples: string | null;
}

/**
 * Version 2 snapshots add two statements to the same round trip: the batch's final state of each
 * namespace it touched (upserted by (host, ns_no); a number or identity another instance took
 * meanwhile fails the batch, which is then retried with state read afresh) and each namespace's
 * report, compact like a snapshot. Reports of a snapshot that is a resend are never in the input
 * (HostNamespaceState), and ON CONFLICT covers two batches racing.
 */
const namespacesSql = ({ rows, samples }: NamespaceLiterals) => `,
ns_rows AS (
  INSERT INTO host_namespaces AS n (host_id, ns_no, inode, first_seen_at, last_seen_at, gone_at, name, pod, containers, label,
                                    pressure, latest_seq, summary)
  SELECT * FROM json_populate_recordset(NULL::host_namespaces, ${rows}::json)
  ON CONFLICT (host_id, ns_no) DO UPDATE SET
    last_seen_at = EXCLUDED.last_seen_at, gone_at = EXCLUDED.gone_at, name = EXCLUDED.name, pod = EXCLUDED.pod,
    containers = EXCLUDED.containers, label = EXCLUDED.label, pressure = EXCLUDED.pressure,
    latest_seq = EXCLUDED.latest_seq, summary = EXCLUDED.summary
    -- Another instance gave this number to another namespace meanwhile: fail the batch (NOT NULL).
    , inode = CASE WHEN n.inode = EXCLUDED.inode AND n.first_seen_at = EXCLUDED.first_seen_at THEN n.inode END
)${
  samples === null
    ? ''
    : `,
ns_samples AS (
  INSERT INTO namespace_snapshots (host_id, ns_no, taken_at, seq, pressure, usable, host_ports_in_use, report)
  SELECT s.host_id, s.ns_no, s.taken_at, s.seq, s.pressure, s.usable, s.host_ports_in_use, decode(s.report, 'base64')
  FROM json_to_recordset(${samples}::json)
    AS s(host_id uuid, ns_no int, taken_at timestamptz, seq bigint, pressure float8, usable int, host_ports_in_use int, report text)
  ON CONFLICT (host_id, ns_no, taken_at, seq) DO NOTHING
)`
}`;

function sampleRow(sample: NamespaceSample, report: Buffer): object {
  return {
    host_id: sample.hostId,
    ns_no: sample.nsNo,
    taken_at: sample.takenAt,
    seq: sample.seq,
    pressure: sample.report.pressure,
    usable: sample.report.usable,
    host_ports_in_use: sample.report.hostPortsInUse,
    report: report.toString('base64'),
  };
}

interface NewTuple {
  host_id: string;
  tuple_no: number;
  protocol: string;
  local_address: string;
  remote_address: string;
  remote_port: number;
}

@Injectable()
export class IngestRepository {
  /** Tuple dictionaries of the hosts this instance wrote, loaded on first use. */
  private readonly dictionaries = new Map<string, TupleDictionary>();
  /** Current namespaces of the hosts this instance wrote version 2 snapshots of, loaded on first use. */
  private readonly namespaces = new Map<string, HostNamespaceState>();

  constructor(private readonly db: DbService) {}

  /**
   * The host's worst other namespace as this instance last wrote it (no query): null when it has
   * none, undefined when this instance has written no version 2 snapshot of it.
   */
  currentWorstNamespace(hostId: string): FleetWorstNamespaceFigures | null | undefined {
    return this.namespaces.get(hostId)?.worst();
  }

  /**
   * Stores a batch of snapshots, new entries of their hosts' tuple dictionaries and the hosts'
   * headline figures in one transaction and one round trip (plus one read of the dictionaries of
   * hosts this instance has not written yet). Returns, per input, whether it was inserted now
   * (false: that host and seq were already stored, or repeated earlier in the same batch).
   *
   * A host's snapshots are never in two batches in flight at once (SnapshotWriter), so its
   * dictionary is only changed by one batch at a time here; when a batch fails, the dictionaries
   * of its hosts are forgotten and read again, so no number assigned by a batch that did not
   * commit is ever used.
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
    const hostIds = [...new Set(first.map((i) => writes[i]!.hostId))];
    const v2HostIds = [...new Set(first.filter((i) => isSnapshotV2(writes[i]!.snapshot)).map((i) => writes[i]!.hostId))];
    try {
      await this.loadDictionaries(hostIds);
      await this.loadNamespaces(v2HostIds);
      const input: object[] = [];
      const newTuples: NewTuple[] = [];
      const diagnostics: object[] = [];
      const indexOfKey = new Map<string, number>();
      const nsRows = new Map<string, Map<number, NamespaceRow>>();
      const nsSamples: object[] = [];
      for (const i of first) {
        const { hostId, snapshot, summary } = writes[i]!;
        indexOfKey.set(`${hostId}/${snapshot.seq}`, i);
        const dictionary = this.dictionaries.get(hostId)!;
        // made once per snapshot, not per tuple: ingest encodes 150,000 tuples a second
        const added = (tupleNo: number, k: TupleKey) =>
          newTuples.push({
            host_id: hostId,
            tuple_no: tupleNo,
            protocol: k.protocol,
            local_address: k.localAddress,
            remote_address: k.remoteAddress,
            remote_port: k.remotePort,
          });
        const numberOf = (t: TupleKey) => dictionary.numberOf(t, added);
        const encode = (report: PortReport) => encodeReport(report, numberOf);
        const r = snapshot.report;
        if (r.diagnostics !== undefined) {
          diagnostics.push({ host_id: hostId, seq: snapshot.seq, taken_at: snapshot.takenAt, diagnostics: r.diagnostics });
        }
        const report = encode(r);
        let v2 = false;
        let worstNamespace = null;
        if (isSnapshotV2(snapshot)) {
          const state = this.namespaces.get(hostId)!;
          let rows = nsRows.get(hostId);
          if (!rows) nsRows.set(hostId, (rows = new Map()));
          const samples = state.apply(hostId, snapshot, rows);
          if (samples) {
            v2 = true;
            worstNamespace = state.worst();
            for (const sample of samples) nsSamples.push(sampleRow(sample, encode(sample.report)));
          }
        }
        input.push({
          idx: i,
          host_id: hostId,
          seq: snapshot.seq,
          taken_at: snapshot.takenAt,
          pressure: r.pressure,
          usable: r.usable,
          host_ports_in_use: r.hostPortsInUse,
          report: report.toString('base64'),
          summary,
          v2,
          worst_namespace: worstNamespace,
        });
      }
      const rows = [...nsRows.values()].flatMap((m) => [...m.values()]);
      const namespaces =
        rows.length > 0 || nsSamples.length > 0
          ? { rows: sqlLiteral(JSON.stringify(rows)), samples: nsSamples.length > 0 ? sqlLiteral(JSON.stringify(nsSamples)) : null }
          : null;
      const text = storeSnapshotsSql(
        sqlLiteral(JSON.stringify(input)),
        newTuples.length > 0 ? sqlLiteral(JSON.stringify(newTuples)) : null,
        namespaces,
        diagnostics.length > 0 ? sqlLiteral(JSON.stringify(diagnostics)) : null,
      );
      // the driver itself: one simple query (no parameters, several statements) in one round trip
      const client = await this.db.pool.connect();
      try {
        const [inserted] = await simpleQuery(client, text);
        const stored = new Set<number>();
        for (const [hostId, seq] of inserted?.rows ?? []) {
          const i = indexOfKey.get(`${hostId}/${seq}`);
          if (i !== undefined) stored.add(i);
        }
        return writes.map((_, i) => stored.has(i));
      } finally {
        client.release();
      }
    } catch (error) {
      for (const id of hostIds) {
        this.dictionaries.delete(id);
        this.namespaces.delete(id);
      }
      throw error;
    }
  }

  /**
   * Reads the current namespaces of hosts this instance holds no state of, in one query. The
   * state starts at the host's last stored seq, so the resend of a stored snapshot changes no
   * namespace.
   */
  private async loadNamespaces(hostIds: string[]): Promise<void> {
    const missing = hostIds.filter((id) => !this.namespaces.has(id));
    if (missing.length === 0) return;
    const { rows } = await this.db.executeQuery<{ hostId: string; lastSeq: number; maxNo: number; current: NamespaceRow[] }>(
      CompiledQuery.raw(
        `SELECT h.id AS "hostId", h.last_seq::float8 AS "lastSeq",
              COALESCE((SELECT max(ns_no) FROM host_namespaces n WHERE n.host_id = h.id), 0) AS "maxNo",
              COALESCE((SELECT json_agg(json_build_object(
                 'host_id', n.host_id, 'ns_no', n.ns_no, 'inode', n.inode::float8,
                 'first_seen_at', to_char(n.first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                 'last_seen_at', to_char(n.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                 'gone_at', NULL, 'name', n.name, 'pod', n.pod, 'containers', n.containers, 'label', n.label,
                 'pressure', n.pressure, 'latest_seq', n.latest_seq::float8, 'summary', n.summary))
               FROM host_namespaces n WHERE n.host_id = h.id AND n.gone_at IS NULL), '[]') AS current
       FROM hosts h WHERE h.id = ANY($1::uuid[])`,
        [missing],
      ),
    );
    for (const r of rows) {
      this.namespaces.set(r.hostId, new HostNamespaceState(r.lastSeq, r.maxNo, new Map(r.current.map((n) => [n.inode, n]))));
    }
  }

  /** Reads the stored dictionaries of hosts this instance does not hold yet, in one query. */
  private async loadDictionaries(hostIds: string[]): Promise<void> {
    const missing = hostIds.filter((id) => !this.dictionaries.has(id));
    if (missing.length === 0) return;
    const rows = await this.db
      .selectFrom('host_tuples')
      .select((eb) => [
        'host_id as hostId',
        'tuple_no as tupleNo',
        // stored from the protocol's TupleKey, which names the one protocol
        eb.ref('protocol').$castTo<TupleKey['protocol']>().as('protocol'),
        'local_address as localAddress',
        'remote_address as remoteAddress',
        'remote_port as remotePort',
      ])
      .where('host_id', '=', sql<string>`ANY(${missing}::uuid[])`)
      .execute();
    for (const id of missing) this.dictionaries.set(id, new TupleDictionary());
    for (const { hostId, tupleNo, ...key } of rows) this.dictionaries.get(hostId)!.add(tupleNo, key);
  }

  /**
   * A hello refreshes the host's labels and agent version, and reads where its sequence stands. The
   * host's namespaces are read afresh with its next version 2 snapshot: another instance may have
   * written them while the agent was connected there.
   */
  async refreshHost(hostId: string, labels: Labels, agentVersion: string): Promise<HostLinkState | null> {
    this.namespaces.delete(hostId);
    const row = await this.db
      .updateTable('hosts')
      .set({ labels: JSON.stringify(labels), agent_version: agentVersion })
      .where('id', '=', hostId)
      .returning([sql<number>`last_seq::float8`.as('lastSeq'), sql<number>`dropped_snapshots::float8`.as('droppedSnapshots')])
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Records snapshots the agent dropped (fromSeq … toSeq), widening an earlier report of the same
   * gap, and recounts the host's dropped snapshots, in one transaction. Returns the new count.
   *
   * Seqs up to the host's last_seq are left out of the gap: those were stored. A snapshot the API
   * stored just before the link broke, whose ack never reached the agent, stays in the agent's
   * spool as unacknowledged; when the spool overflows it is the oldest, so it is dropped and
   * reported, though nothing of it was lost. (Snapshots are sent and stored in seq order, and an
   * agent reports its gaps before its spooled snapshots, so a dropped one is never below a stored one.)
   */
  async recordGap(hostId: string, fromSeq: number, toSeq: number): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const host = await tx
        .selectFrom('hosts')
        .select(sql<number>`last_seq::float8`.as('lastSeq'))
        .where('id', '=', hostId)
        .forNoKeyUpdate()
        .executeTakeFirst();
      const from = Math.max(fromSeq, (host?.lastSeq ?? 0) + 1);
      if (from <= toSeq) {
        await tx
          .insertInto('snapshot_gaps')
          .values({ host_id: hostId, from_seq: from, to_seq: toSeq })
          .onConflict((oc) =>
            oc.columns(['host_id', 'from_seq']).doUpdateSet({ to_seq: sql`GREATEST(snapshot_gaps.to_seq, EXCLUDED.to_seq)` }),
          )
          .execute();
      }
      // Counted over the union of the ranges: an agent that re-reports part of a gap (a report
      // crossed its widening) never counts a snapshot twice.
      const row = await tx
        .updateTable('hosts')
        .set({
          dropped_snapshots: sql`(
            SELECT COALESCE(sum(upper(r) - lower(r)), 0)
            FROM unnest((SELECT range_agg(int8range(from_seq, to_seq, '[]')) FROM snapshot_gaps WHERE host_id = ${hostId}::uuid)) AS r)`,
        })
        .where('id', '=', hostId)
        .returning(sql<number>`dropped_snapshots::float8`.as('dropped'))
        .executeTakeFirst();
      return row?.dropped ?? 0;
    });
  }
}
