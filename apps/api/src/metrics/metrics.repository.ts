import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DbService } from '../database/db.service.ts';

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
  constructor(private readonly db: DbService) {}

  async hosts(): Promise<HostMetricsRow[]> {
    return this.db
      .selectFrom('hosts as h')
      .leftJoin('host_trends as t', 't.host_id', 'h.id')
      .select([
        'h.id',
        'h.hostname',
        'h.agent_version as agentVersion',
        sql<number | null>`extract(epoch FROM h.last_seen_at)::float8`.as('lastSeen'),
        'h.pressure',
        sql<number | null>`(h.summary->>'usable')::int`.as('usable'),
        sql<number | null>`(h.summary->'worstTuple'->>'used')::int`.as('worstUsed'),
        sql<number | null>`(h.summary->'worstTuple'->>'timeWait')::int`.as('worstTimeWait'),
        sql<number | null>`extract(epoch FROM (t.trend->>'exhaustsAt')::timestamptz)::float8`.as('exhaustsAt'),
      ])
      .orderBy('h.hostname')
      .orderBy('h.id')
      .execute();
  }

  async outbox(): Promise<OutboxCountRow[]> {
    return this.db
      .selectFrom('alert_deliveries as d')
      .innerJoin('alert_channels as c', 'c.id', 'd.channel_id')
      .select(['c.type as provider', 'd.status', sql<number>`count(*)::int`.as('count')])
      .where('d.status', 'in', ['pending', 'failed'])
      .groupBy(['c.type', 'd.status'])
      .execute();
  }
}
