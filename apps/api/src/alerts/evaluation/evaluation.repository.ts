import { Inject, Injectable } from '@nestjs/common';
import type { ForecastPoint } from '@portpressure/domain';
import type { AlertTuple } from '@portpressure/protocol';
import { sql } from 'kysely';
import { type Db, DbService } from '../../database/db.service.ts';
import { AlertTx } from './alert-tx.repository.ts';
import type { BatchHost, QuietEvaluation } from './batch-plan.ts';
import { decodeTuples } from '../../history/snapshot-codec.ts';
import { tupleKey } from './rule-evaluation.ts';

/** What evaluation needs to know about a host. */
export interface HostForEvaluation {
  id: string;
  hostname: string;
  labels: unknown;
  lastSeenAt: Date | null;
  createdAt: Date;
  latestTakenAt: Date | null;
  /** Set while the host is archived (silent too long): no offline rule applies to it. */
  archivedAt?: Date | null;
}

/** A firing incident that may owe a reminder (or its first notification once a silence ends). */
export interface ReminderCandidate {
  incidentId: string;
  hostId: string;
}

/** Advisory lock key of the alert timer: one instance runs it at a time. */
const TICK_LOCK_KEY = 7_110_000_001n;

@Injectable()
export class EvaluationRepository {
  // The two statements every ingest batch runs (hostsForBatch, recordQuietEvaluations) keep
  // hand-written SQL: they were tuned on the plain driver (an ORM's per-query work cost about twice
  // the CPU: 1.4–1.8 ms against 0.8 ms per batch).
  constructor(@Inject(DbService) private readonly db: Db) {}

  /**
   * Runs `work` in one transaction holding the host's advisory lock, so ingest on several API
   * instances and the offline timer never evaluate one host at the same time.
   */
  async inHostTransaction<T>(hostId: string, work: (tx: AlertTx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (t) => {
      const tx = new AlertTx(t);
      await tx.lockHost(hostId);
      return work(tx);
    });
  }

  /**
   * Runs `work` only if no other instance is running the timer job right now; the lock lives in a
   * transaction of its own that stays open (idle) while `work` runs its own transactions.
   */
  async ifJobLockFree(work: () => Promise<void>): Promise<boolean> {
    return this.db.transaction().execute(async (t) => {
      const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${TICK_LOCK_KEY}) AS locked`.execute(t);
      if (rows[0]?.locked !== true) return false;
      await work();
      return true;
    });
  }

  /**
   * The hosts of a batch as evaluation needs them, with whether each has a pending count or a
   * firing incident (then every snapshot of it matters): one round trip for the whole batch.
   */
  async hostsForBatch(hostIds: readonly string[]): Promise<Map<string, BatchHost>> {
    if (hostIds.length === 0) return new Map();
    const { rows } = await sql<BatchHost>`
      SELECT h.id, h.hostname, h.labels, h.latest_taken_at AS "latestTakenAt", archived_at AS "archivedAt",
        EXISTS (SELECT 1 FROM alert_incidents i WHERE i.host_id = h.id AND i.status = 'firing')
          OR EXISTS (SELECT 1 FROM alert_states s WHERE s.host_id = h.id) AS busy
      FROM hosts h WHERE h.id = ANY(${hostIds}::uuid[])`.execute(this.db);
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Records the evaluation of snapshots that changed nothing (one per host), in one statement
   * without a lock or a transaction. A host's progress only moves forward: an evaluation of a
   * later snapshot, recorded meanwhile by a locked evaluation or another instance, is kept.
   * Rows are written in host id order, so two such statements never wait on each other in a cycle.
   */
  async recordQuietEvaluations(quiet: readonly QuietEvaluation[]): Promise<void> {
    if (quiet.length === 0) return;
    const sorted = [...quiet].sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0));
    const hostIds = sorted.map((q) => q.hostId);
    const seqs = sorted.map((q) => q.seq);
    const takenAts = sorted.map((q) => q.takenAt.toISOString());
    await sql`
      INSERT INTO alert_host_evaluations (host_id, seq, taken_at, evaluated_at)
      SELECT q.host_id, q.seq, q.taken_at, now()
      FROM unnest(${hostIds}::uuid[], ${seqs}::bigint[], ${takenAts}::timestamptz[]) WITH ORDINALITY AS q(host_id, seq, taken_at, n)
      ORDER BY q.n
      ON CONFLICT (host_id) DO UPDATE SET seq = EXCLUDED.seq, taken_at = EXCLUDED.taken_at, evaluated_at = now()
        WHERE alert_host_evaluations.taken_at < EXCLUDED.taken_at`.execute(this.db);
  }

  private selectHosts() {
    return this.db
      .selectFrom('hosts as h')
      .select([
        'h.id',
        'h.hostname',
        'h.labels',
        'h.last_seen_at as lastSeenAt',
        'h.created_at as createdAt',
        'h.latest_taken_at as latestTakenAt',
        'h.archived_at as archivedAt',
      ]);
  }

  async host(hostId: string): Promise<HostForEvaluation | null> {
    return (await this.selectHosts().where('h.id', '=', hostId).executeTakeFirst()) ?? null;
  }

  /** Hosts silent since before `cutoff`, plus those with an offline incident still firing. */
  async offlineCandidates(cutoff: Date): Promise<HostForEvaluation[]> {
    return this.selectHosts()
      .where((eb) =>
        eb.or([
          eb.and([eb('h.archived_at', 'is', null), eb(eb.fn.coalesce('h.last_seen_at', 'h.created_at'), '<', cutoff)]),
          eb.exists(
            eb
              .selectFrom('alert_incidents as i')
              .select(sql`1`.as('one'))
              .whereRef('i.host_id', '=', 'h.id')
              .where('i.status', '=', 'firing')
              .where('i.rule_kind', '=', 'offline'),
          ),
        ]),
      )
      .execute();
  }

  /** Firing incidents whose reminder is due, or whose first notification waited out a silence. */
  async reminderCandidates(now: Date): Promise<ReminderCandidate[]> {
    return this.db
      .selectFrom('alert_incidents as i')
      .innerJoin('alert_rules as r', 'r.id', 'i.rule_id')
      .select(['i.id as incidentId', 'i.host_id as hostId'])
      .where('i.status', '=', 'firing')
      .where((eb) => eb.or([eb('i.silenced_until', 'is', null), eb('i.silenced_until', '<=', now)]))
      .where((eb) =>
        eb.or([
          eb.not('i.firing_notified'),
          eb.and([
            eb('i.acknowledged_at', 'is', null),
            eb('r.repeat_interval_seconds', '>', 0),
            eb(sql<Date>`i.last_notified_at + make_interval(secs => r.repeat_interval_seconds)`, '<=', now),
          ]),
        ]),
      )
      .orderBy('i.started_at')
      .execute();
  }

  /** Hosts with a firing incident or a pending count of this rule. */
  async hostsWithRuleState(ruleId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('alert_incidents')
      .select('host_id as hostId')
      .where('rule_id', '=', ruleId)
      .where('status', '=', 'firing')
      .union(this.db.selectFrom('alert_states').select('host_id as hostId').where('rule_id', '=', ruleId))
      .execute();
    return rows.map((r) => r.hostId);
  }

  /** Hosts with a firing incident of this rule. */
  async hostsWithOpenIncidents(ruleId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('alert_incidents')
      .select('host_id as hostId')
      .distinct()
      .where('rule_id', '=', ruleId)
      .where('status', '=', 'firing')
      .execute();
    return rows.map((r) => r.hostId);
  }

  /**
   * The trailing window of `used − reclaimable` for each tuple, oldest first, keyed by tupleKey.
   * Reads the host's compact snapshots through their (host_id, taken_at, seq) key and decodes
   * only the wanted tuples (history/snapshot-codec.ts).
   */
  async tupleSeries(hostId: string, since: Date, tuples: AlertTuple[]): Promise<Map<string, ForecastPoint[]>> {
    const series = new Map<string, ForecastPoint[]>();
    if (tuples.length === 0) return series;
    const [numbers, snapshots] = await Promise.all([
      sql<{ tupleNo: number; localAddress: string; remoteAddress: string; remotePort: number }>`
        SELECT d.tuple_no AS "tupleNo", d.local_address AS "localAddress", d.remote_address AS "remoteAddress", d.remote_port AS "remotePort"
        FROM host_tuples d
        JOIN unnest(${tuples.map((t) => t.localAddress)}::text[], ${tuples.map((t) => t.remoteAddress)}::text[],
          ${tuples.map((t) => t.remotePort)}::int[]) AS w(local_address, remote_address, remote_port)
          ON d.local_address = w.local_address AND d.remote_address = w.remote_address AND d.remote_port = w.remote_port
        WHERE d.host_id = ${hostId}::uuid AND d.protocol = 'tcp'`
        .execute(this.db)
        .then((r) => r.rows),
      this.db
        .selectFrom('snapshots')
        .select(['taken_at as takenAt', 'usable', 'report'])
        .where('host_id', '=', hostId)
        .where('taken_at', '>=', since)
        .orderBy('taken_at')
        .execute(),
    ]);
    const keyOf = new Map(
      numbers.map((n) => [
        n.tupleNo,
        tupleKey({ protocol: 'tcp', localAddress: n.localAddress, remoteAddress: n.remoteAddress, remotePort: n.remotePort }),
      ]),
    );
    if (keyOf.size === 0) return series;
    for (const s of snapshots) {
      for (const t of decodeTuples(s.report, s.usable)) {
        const key = keyOf.get(t.tupleNo);
        if (key === undefined) continue;
        let points = series.get(key);
        if (points === undefined) {
          points = [];
          series.set(key, points);
        }
        points.push({ t: s.takenAt.getTime(), value: t.used - t.reclaimable });
      }
    }
    return series;
  }
}
