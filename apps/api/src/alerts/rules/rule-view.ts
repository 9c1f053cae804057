import { alertRuleSchema, type AlertRule } from '@portpressure/protocol';
import type { RuleRow } from './rules.repository.ts';

/**
 * A stored row as the protocol's rule, or null when it no longer validates (edited by hand, or
 * written by a newer version): the engine skips such a rule rather than guess at it.
 */
export function parseRuleRow(row: RuleRow): AlertRule | null {
  const parsed = alertRuleSchema.safeParse({
    id: row.id,
    name: row.name,
    kind: row.kind,
    severity: row.severity,
    enabled: row.enabled,
    params: row.params,
    scope: { hostId: row.scopeHostId, labels: row.scopeLabels },
    channelIds: row.channelIds,
    repeatIntervalSeconds: row.repeatIntervalSeconds,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });
  return parsed.success ? parsed.data : null;
}
