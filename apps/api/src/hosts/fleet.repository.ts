import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SPARKLINE_ALPHABET } from '@portpressure/protocol';
import { sql } from 'kysely';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { PgChannelListener } from '../database/pg-listener.ts';
import { type Db, DbService } from '../database/db.service.ts';

/** One host's fleet row, rendered to JSON by Postgres, with its sort keys. */
export interface FleetRowText {
  id: string;
  hostname: string;
  pressure: number | null;
  json: string;
}

/** Channel on which every API instance announces hosts whose fleet row changed. */
export const FLEET_CHANNEL = 'portpressure_fleet';
/** NOTIFY payloads stay under Postgres' 8,000-byte limit: 200 ids of 37 characters. */
const IDS_PER_NOTIFY = 200;

// The protocol's FleetHostRow, built in SQL so that a full reload of 10,000 hosts is one
// round trip and no per-row work in Node. The sparkline is the trend's per-minute pressure in
// SPARKLINE_ALPHABET's 64 levels.
const ROW_SQL = sql.raw(`
  SELECT id, hostname, pressure, json_build_object(
    'id', id,
    'hostname', hostname,
    'labels', labels,
    'agentVersion', agent_version,
    'lastSeenAt', to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'pressure', round(pressure::numeric, 5),
    'usable', summary->'usable',
    'worst', CASE WHEN jsonb_typeof(summary->'worstTuple') = 'object' THEN json_build_object(
      'localAddress', summary#>'{worstTuple,localAddress}', 'remoteAddress', summary#>'{worstTuple,remoteAddress}',
      'remotePort', summary#>'{worstTuple,remotePort}', 'used', summary#>'{worstTuple,used}',
      'timeWait', summary#>'{worstTuple,timeWait}', 'reclaimable', summary#>'{worstTuple,reclaimable}') END,
    'trend', CASE WHEN trend IS NOT NULL THEN json_build_object(
      'start', trend->'start',
      'sparkline', coalesce((SELECT string_agg(CASE WHEN jsonb_typeof(v) = 'number'
                                   THEN substr('${SPARKLINE_ALPHABET}', round(least(1, greatest(0, v::text::float8)) * 63)::int + 1, 1)
                                   ELSE '.' END, '' ORDER BY o)
                            FROM jsonb_array_elements(trend->'pressure') WITH ORDINALITY AS e(v, o)), ''),
      'slopePerSecond', trend->'slopePerSecond',
      'exhaustsAt', trend->'exhaustsAt') END
  )::text AS json
  FROM hosts LEFT JOIN host_trends ON host_trends.host_id = hosts.id`);

@Injectable()
export class FleetRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('FleetRepository');
  private listener: PgChannelListener | undefined;

  // Hand-written SQL: a refresh reads up to 10,000 rows of JSON text rendered by PostgreSQL.
  constructor(
    @Inject(DbService) private readonly db: Db,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Every host's row, or those of `ids`; archived hosts are not in the ranking. */
  async rows(ids?: string[]): Promise<FleetRowText[]> {
    const result = ids
      ? await sql<FleetRowText>`${ROW_SQL} WHERE archived_at IS NULL AND id = ANY(${ids}::uuid[])`.execute(this.db)
      : await sql<FleetRowText>`${ROW_SQL} WHERE archived_at IS NULL`.execute(this.db);
    return result.rows;
  }

  /** Tells every API instance (this one included) that these hosts' rows changed. */
  async announce(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += IDS_PER_NOTIFY) {
      await sql`SELECT pg_notify(${FLEET_CHANNEL}, ${ids.slice(i, i + IDS_PER_NOTIFY).join(',')})`.execute(this.db);
    }
  }

  /**
   * LISTENs on a connection of its own for announcements. `onConnected` runs after each
   * (re)connection, since announcements made while disconnected are lost.
   */
  async listen(onIds: (ids: string[]) => void, onConnected: () => void): Promise<void> {
    this.listener = new PgChannelListener({
      databaseUrl: this.config.databaseUrl,
      channel: FLEET_CHANNEL,
      name: 'fleet-listener',
      logger: this.logger,
      onPayload: (payload) => {
        if (payload) onIds(payload.split(','));
      },
      onState: (listening) => {
        if (listening) onConnected();
      },
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }
}
