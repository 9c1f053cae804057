import { Inject, Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.ts';

export interface HostMetricsRow {
  id: string;
  hostname: string;
  agentVersion: string | null;
  /** Unix seconds, null before the first snapshot. */
  lastSeen: number | null;
  pressure: number | null;
  usable: number | null;
  worstUsed: number | null;
  worstTimeWait: number | null;
  /** Unix seconds at which the trend runs out, null when flat or falling. */
  exhaustsAt: number | null;
}

export interface TupleMetricsRow {
  hostId: string;
  protocol: string;
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
  used: number;
  timeWait: number;
  reclaimable: number;
  pressure: number;
}

export interface OutboxCountRow {
  provider: string;
  status: string;
  count: number;
}

/** What a scrape reads: one query each for hosts, their top tuples, and the outbox. */
@Injectable()
export class MetricsRepository {
  constructor(@Inject(PgPoolService) private readonly pool: PgPoolService) {}

  async hosts(): Promise<HostMetricsRow[]> {
    const { rows } = await this.pool.query<HostMetricsRow>(
      `SELECT h.id, h.hostname, h.agent_version AS "agentVersion",
              extract(epoch FROM h.last_seen_at)::float8 AS "lastSeen",
              h.pressure,
              (h.summary->>'usable')::int AS usable,
              (h.summary->'worstTuple'->>'used')::int AS "worstUsed",
              (h.summary->'worstTuple'->>'timeWait')::int AS "worstTimeWait",
              extract(epoch FROM (t.trend->>'exhaustsAt')::timestamptz)::float8 AS "exhaustsAt"
       FROM hosts h LEFT JOIN host_trends t ON t.host_id = h.id
       ORDER BY h.hostname, h.id`,
    );
    return rows;
  }

  /**
   * The `k` worst tuples of each host's latest snapshot. The agent lists tuples worst first, so
   * they are the first `k` ordinals; the latest snapshot is found through (host_id, taken_at).
   */
  async topTuples(k: number): Promise<TupleMetricsRow[]> {
    if (k === 0) return [];
    const { rows } = await this.pool.query<TupleMetricsRow>(
      `SELECT h.id AS "hostId", ts.protocol, ts.local_address AS "localAddress", ts.remote_address AS "remoteAddress",
              ts.remote_port AS "remotePort", ts.used, ts.time_wait AS "timeWait", ts.reclaimable, ts.pressure
       FROM hosts h
       CROSS JOIN LATERAL (
         SELECT s.id FROM snapshots s WHERE s.host_id = h.id AND s.taken_at = h.latest_taken_at ORDER BY s.seq DESC LIMIT 1
       ) latest
       JOIN tuple_samples ts ON ts.snapshot_id = latest.id AND ts.ordinal < $1
       WHERE h.latest_taken_at IS NOT NULL
       ORDER BY h.id, ts.ordinal`,
      [k],
    );
    return rows;
  }

  async outbox(): Promise<OutboxCountRow[]> {
    const { rows } = await this.pool.query<OutboxCountRow>(
      `SELECT c.type AS provider, d.status, count(*)::int AS count
       FROM alert_deliveries d JOIN alert_channels c ON c.id = d.channel_id
       WHERE d.status IN ('pending', 'failed')
       GROUP BY c.type, d.status`,
    );
    return rows;
  }
}
