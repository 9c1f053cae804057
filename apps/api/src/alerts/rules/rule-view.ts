import { alertRuleSchema, type AlertRule, type AlertRuleDefinition } from '@portpressure/protocol';
import { AlertsError } from '../alerts.errors.ts';
import { RuleKindError, ruleKindRegistry } from './kinds/index.ts';
import type { RuleRow } from './rules.repository.ts';

/**
 * A stored row as the protocol's rule, or null when it no longer validates (edited by hand,
 * written by a newer version, or of a kind this version does not have): the engine skips such a
 * rule rather than guess at it. Its params are checked and completed by its kind.
 */
export function parseRuleRow(row: RuleRow): AlertRule | null {
  const kind = ruleKindRegistry.find(row.kind);
  const params = kind?.paramsSchema.safeParse(row.params);
  if (kind === undefined || params === undefined || !params.success) return null;
  const parsed = alertRuleSchema.safeParse({
    id: row.id,
    name: row.name,
    kind: row.kind,
    severity: row.severity,
    enabled: row.enabled,
    params: params.data,
    scope: { hostId: row.scopeHostId, labels: row.scopeLabels },
    channelIds: row.channelIds,
    repeatIntervalSeconds: row.repeatIntervalSeconds,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    condition: kind.condition(params.data),
  });
  return parsed.success ? parsed.data : null;
}

/** The rule with its params checked by its kind (defaults filled in); an unknown kind or bad params is INVALID_ALERT_RULE. */
export function parseKindParams(rule: AlertRuleDefinition): AlertRuleDefinition {
  try {
    return ruleKindRegistry.parseDefinition(rule);
  } catch (error) {
    if (error instanceof RuleKindError) throw new AlertsError('INVALID_ALERT_RULE', error.message);
    throw error;
  }
}
