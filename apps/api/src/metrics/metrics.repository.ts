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

export interface OutboxCountRow {
  provider: string;
  status: string;
  count: number;
}

/** What a scrape reads: one query each for hosts and the outbox (top tuples come from the history's LatestTuplesRepository). */
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
