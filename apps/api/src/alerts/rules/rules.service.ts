import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { alertRuleInputSchema, type AlertRule, type AlertRuleDefinition, type AlertRuleList } from '@portpressure/protocol';
import { z } from 'zod';
import { AlertsError, parseAlertInput } from '../alerts.errors.ts';
import { ChannelsRepository } from '../channels/channels.repository.ts';
import { AlertEngine } from '../evaluation/alert-engine.service.ts';
import { ActiveRulesService } from './active-rules.service.ts';
import { defaultRules } from './default-rules.ts';
import { parseKindParams, parseRuleRow } from './rule-view.ts';
import { RulesRepository, type RuleRow } from './rules.repository.ts';

const idSchema = z.uuid();

@Injectable()
export class RulesService implements OnModuleInit {
  private readonly logger = new Logger('AlertRules');

  constructor(
    private readonly rules: RulesRepository,
    private readonly channels: ChannelsRepository,
    private readonly engine: AlertEngine,
    private readonly active: ActiveRulesService,
  ) {}

  /** First start of a database: create the default rules (once, whatever happens to them later). */
  async onModuleInit(): Promise<void> {
    if (await this.rules.createDefaultsOnce(defaultRules())) {
      this.logger.log('created the default alert rules');
      await this.active.changed();
    }
  }

  async list(): Promise<AlertRuleList> {
    return { rules: (await this.rules.list()).map((r) => this.view(r)) };
  }

  async get(id: string): Promise<AlertRule> {
    return this.view(await this.row(id));
  }

  async create(body: unknown): Promise<AlertRule> {
    const rule = await this.parse(body);
    const row = await this.rules.create(rule);
    await this.active.changed();
    return this.view(row);
  }

  /**
   * Replaces a rule. Disabling it, or changing what kind of rule it is, resolves its firing
   * incidents right away (with their resolution messages); other changes apply from the next
   * evaluation of each host.
   */
  async update(id: string, body: unknown): Promise<AlertRule> {
    const before = await this.row(id);
    const rule = await this.parse(body);
    const row = await this.rules.update(id, rule);
    if (row === null) throw new AlertsError('ALERT_RULE_NOT_FOUND', `no rule ${id}`);
    // Before resolving: evaluations from now on (here and, once announced, elsewhere) use the new rule.
    await this.active.changed();
    if (!rule.enabled || rule.kind !== before.kind) await this.engine.resolveRuleIncidents(id);
    return this.view(row);
  }

  /** Disables first so nothing fires again, resolves what fires, then deletes; incidents stay as history. */
  async delete(id: string): Promise<void> {
    const row = await this.row(id);
    const rule = parseRuleRow(row);
    if (rule !== null && rule.enabled) {
      await this.rules.update(id, { ...rule, enabled: false });
      await this.active.changed();
      await this.engine.resolveRuleIncidents(id);
    }
    await this.rules.delete(id);
    await this.active.changed();
  }

  private async row(id: string): Promise<RuleRow> {
    const row = idSchema.safeParse(id).success ? await this.rules.findById(id) : null;
    if (row === null) throw new AlertsError('ALERT_RULE_NOT_FOUND', `no rule ${id}`);
    return row;
  }

  private async parse(body: unknown): Promise<AlertRuleDefinition> {
    const rule = parseKindParams(parseAlertInput(alertRuleInputSchema, body, 'INVALID_ALERT_RULE'));
    const known = await this.channels.existingIds(rule.channelIds);
    const unknown = rule.channelIds.filter((c) => !known.has(c));
    if (unknown.length > 0) throw new AlertsError('INVALID_ALERT_RULE', `no channel ${unknown.join(', ')}`);
    if (rule.scope.hostId !== null && !(await this.rules.hostExists(rule.scope.hostId))) {
      throw new AlertsError('INVALID_ALERT_RULE', `no host ${rule.scope.hostId}`);
    }
    return rule;
  }

  private view(row: RuleRow): AlertRule {
    const rule = parseRuleRow(row);
    if (rule === null) throw new AlertsError('INVALID_ALERT_RULE', `stored rule ${row.id} does not validate; replace it with PUT`);
    return rule;
  }
}
