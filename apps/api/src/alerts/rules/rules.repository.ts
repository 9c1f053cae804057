import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AlertRuleDefinition } from '@portpressure/protocol';
import { sql } from 'kysely';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import { PgChannelListener } from '../../database/pg-listener.ts';
import { type Db, DbService } from '../../database/db.service.ts';

/** A rule row: plain values, JSON columns still unparsed (the service validates them). */
export interface RuleRow {
  id: string;
  name: string;
  kind: string;
  severity: string;
  enabled: boolean;
  params: unknown;
  scopeHostId: string | null;
  scopeLabels: unknown;
  channelIds: unknown;
  repeatIntervalSeconds: number;
  createdAt: Date;
  updatedAt: Date;
}

const RULE_COLUMNS = [
  'id',
  'name',
  'kind',
  'severity',
  'enabled',
  'params',
  'scope_host_id as scopeHostId',
  'scope_labels as scopeLabels',
  'channel_ids as channelIds',
  'repeat_interval_seconds as repeatIntervalSeconds',
  'created_at as createdAt',
  'updated_at as updatedAt',
] as const;

/** The columns a rule definition sets. */
function columnsOf(rule: AlertRuleDefinition) {
  return {
    name: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    enabled: rule.enabled,
    params: JSON.stringify(rule.params),
    scope_host_id: rule.scope.hostId,
    scope_labels: JSON.stringify(rule.scope.labels),
    channel_ids: JSON.stringify(rule.channelIds),
    repeat_interval_seconds: rule.repeatIntervalSeconds,
  };
}

/** Marks the one-time creation of the default rules in alert_setup_steps. */
const DEFAULT_RULES_STEP = 'default-rules';
/** Channel on which every API instance announces that the rules changed (they cache them). */
export const RULES_CHANNEL = 'portpressure_alert_rules';

@Injectable()
export class RulesRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('RulesRepository');
  private listener: PgChannelListener | undefined;

  constructor(
    @Inject(DbService) private readonly db: Db,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Tells every API instance (this one included) that rules changed. */
  async announceChange(): Promise<void> {
    await sql`SELECT pg_notify(${RULES_CHANNEL}, '')`.execute(this.db);
  }

  /**
   * LISTENs for rule changes on a connection of its own (PgChannelListener: reconnects, and
   * `onState` says when announcements may have been missed).
   */
  async listenForChanges(onChange: () => void, onState: (listening: boolean) => void): Promise<void> {
    this.listener = new PgChannelListener({
      databaseUrl: this.config.databaseUrl,
      channel: RULES_CHANNEL,
      name: 'rules-listener',
      logger: this.logger,
      onPayload: () => onChange(),
      onState,
    });
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  async list(): Promise<RuleRow[]> {
    return this.db.selectFrom('alert_rules').select(RULE_COLUMNS).orderBy('created_at').orderBy('name').execute();
  }

  async listEnabled(): Promise<RuleRow[]> {
    return this.db.selectFrom('alert_rules').select(RULE_COLUMNS).where('enabled', '=', true).orderBy('created_at').execute();
  }

  async findById(id: string): Promise<RuleRow | null> {
    return (await this.db.selectFrom('alert_rules').select(RULE_COLUMNS).where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async create(rule: AlertRuleDefinition): Promise<RuleRow> {
    return this.db.insertInto('alert_rules').values(columnsOf(rule)).returning(RULE_COLUMNS).executeTakeFirstOrThrow();
  }

  async update(id: string, rule: AlertRuleDefinition): Promise<RuleRow | null> {
    const row = await this.db
      .updateTable('alert_rules')
      .set({ ...columnsOf(rule), updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returning(RULE_COLUMNS)
      .executeTakeFirst();
    return row ?? null;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
  }

  async hostExists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('hosts').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /**
   * Creates the default rules exactly once per database: the step marker and the rules commit
   * together, and a concurrent start by another instance waits on the marker's key, then skips.
   */
  async createDefaultsOnce(rules: AlertRuleDefinition[]): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const done = await tx
        .insertInto('alert_setup_steps')
        .values({ name: DEFAULT_RULES_STEP })
        .onConflict((oc) => oc.column('name').doNothing())
        .returning('name')
        .executeTakeFirst();
      if (done === undefined) return false;
      for (const [index, rule] of rules.entries()) {
        // One millisecond apart, so the list shows them in the order they were written.
        await tx
          .insertInto('alert_rules')
          .values({
            ...columnsOf(rule),
            created_at: sql<Date>`now() + make_interval(secs => ${index / 1000}::float8)`,
            updated_at: sql<Date>`now()`,
          })
          .execute();
      }
      return true;
    });
  }
}
