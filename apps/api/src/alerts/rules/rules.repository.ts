import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AlertRuleDefinition } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import { PgChannelListener } from '../../database/pg-listener.ts';
import { PrismaService } from '../../database/prisma.service.ts';
import { Prisma } from '../../generated/prisma/client.ts';

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

const RULE_COLUMNS = Prisma.raw(`id, name, kind, severity, enabled, params, scope_host_id AS "scopeHostId",
  scope_labels AS "scopeLabels", channel_ids AS "channelIds", repeat_interval_seconds AS "repeatIntervalSeconds",
  created_at AS "createdAt", updated_at AS "updatedAt"`);

/** Marks the one-time creation of the default rules in alert_setup_steps. */
const DEFAULT_RULES_STEP = 'default-rules';
/** Channel on which every API instance announces that the rules changed (they cache them). */
export const RULES_CHANNEL = 'portpressure_alert_rules';

@Injectable()
export class RulesRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('RulesRepository');
  private listener: PgChannelListener | undefined;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** Tells every API instance (this one included) that rules changed. */
  async announceChange(): Promise<void> {
    await this.prisma.$executeRaw`SELECT pg_notify(${RULES_CHANNEL}, '')`;
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
    return this.prisma.$queryRaw<RuleRow[]>`SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY created_at, name`;
  }

  async listEnabled(): Promise<RuleRow[]> {
    return this.prisma.$queryRaw<RuleRow[]>`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE enabled ORDER BY created_at`;
  }

  async findById(id: string): Promise<RuleRow | null> {
    const rows = await this.prisma.$queryRaw<RuleRow[]>`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ${id}::uuid`;
    return rows[0] ?? null;
  }

  async create(rule: AlertRuleDefinition): Promise<RuleRow> {
    const rows = await this.prisma.$queryRaw<RuleRow[]>`
      INSERT INTO alert_rules (name, kind, severity, enabled, params, scope_host_id, scope_labels, channel_ids,
        repeat_interval_seconds)
      VALUES (${rule.name}, ${rule.kind}, ${rule.severity}, ${rule.enabled}, ${JSON.stringify(rule.params)}::jsonb,
        ${rule.scope.hostId}::uuid, ${JSON.stringify(rule.scope.labels)}::jsonb, ${JSON.stringify(rule.channelIds)}::jsonb,
        ${rule.repeatIntervalSeconds})
      RETURNING ${RULE_COLUMNS}`;
    const row = rows[0];
    if (row === undefined) throw new Error('rule insert returned no row');
    return row;
  }

  async update(id: string, rule: AlertRuleDefinition): Promise<RuleRow | null> {
    const rows = await this.prisma.$queryRaw<RuleRow[]>`
      UPDATE alert_rules SET name = ${rule.name}, kind = ${rule.kind}, severity = ${rule.severity},
        enabled = ${rule.enabled}, params = ${JSON.stringify(rule.params)}::jsonb, scope_host_id = ${rule.scope.hostId}::uuid,
        scope_labels = ${JSON.stringify(rule.scope.labels)}::jsonb, channel_ids = ${JSON.stringify(rule.channelIds)}::jsonb,
        repeat_interval_seconds = ${rule.repeatIntervalSeconds}, updated_at = now()
      WHERE id = ${id}::uuid
      RETURNING ${RULE_COLUMNS}`;
    return rows[0] ?? null;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.prisma.$executeRaw`DELETE FROM alert_rules WHERE id = ${id}::uuid`) > 0;
  }

  async hostExists(id: string): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`SELECT id FROM hosts WHERE id = ${id}::uuid`;
    return rows.length > 0;
  }

  /**
   * Creates the default rules exactly once per database: the step marker and the rules commit
   * together, and a concurrent start by another instance waits on the marker's key, then skips.
   */
  async createDefaultsOnce(rules: AlertRuleDefinition[]): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const done = await tx.$queryRaw<{ name: string }[]>`
        INSERT INTO alert_setup_steps (name) VALUES (${DEFAULT_RULES_STEP}) ON CONFLICT (name) DO NOTHING RETURNING name`;
      if (done.length === 0) return false;
      for (const [index, rule] of rules.entries()) {
        // One millisecond apart, so the list shows them in the order they were written.
        await tx.$executeRaw`
          INSERT INTO alert_rules (name, kind, severity, enabled, params, scope_labels, channel_ids, repeat_interval_seconds,
            created_at, updated_at)
          VALUES (${rule.name}, ${rule.kind}, ${rule.severity}, ${rule.enabled}, ${JSON.stringify(rule.params)}::jsonb,
            ${JSON.stringify(rule.scope.labels)}::jsonb, ${JSON.stringify(rule.channelIds)}::jsonb, ${rule.repeatIntervalSeconds},
            now() + make_interval(secs => ${index / 1000}::float8), now())`;
      }
      return true;
    });
  }
}
