import { alertRuleInputSchema, type AlertRuleDefinition, type AlertRuleInput } from '@portpressure/protocol';
import { ruleKindRegistry, type RuleKindParams } from './kinds/index.ts';

/**
 * Rules every installation starts with (created once, on first start; editable and deletable):
 * a warning at two thirds and critical at 90 %, a forecast that the worst tuples run out
 * within 30 minutes, and hosts that stop reporting for 5 minutes.
 */
const DEFAULT_RULES: Array<Omit<AlertRuleInput, 'kind' | 'params'> & RuleKindParams> = [
  {
    name: 'Port pressure warning',
    kind: 'pressure',
    severity: 'warning',
    params: { threshold: 2 / 3, resolveMargin: 0.05, sustainSnapshots: 3 },
    repeatIntervalSeconds: 4 * 3600,
  },
  {
    name: 'Port pressure critical',
    kind: 'pressure',
    severity: 'critical',
    params: { threshold: 0.9, resolveMargin: 0.05, sustainSnapshots: 3 },
    repeatIntervalSeconds: 3600,
  },
  {
    name: 'Runs out of ports within 30 minutes',
    kind: 'forecast',
    severity: 'critical',
    // 10 minutes of history, at least 5 points, 2 forecasts in a row, tuples from 10 %: quick on
    // a steady leak, deaf to one noisy snapshot and to idle tuples gaining a port or two.
    params: { withinSeconds: 1800, minPressure: 0.1, windowSeconds: 600, minSamples: 5, sustainSnapshots: 2, resolveMargin: 0.5 },
    repeatIntervalSeconds: 3600,
  },
  {
    name: 'Host stopped reporting',
    kind: 'offline',
    severity: 'warning',
    params: { afterSeconds: 300 },
    repeatIntervalSeconds: 4 * 3600,
  },
];

export function defaultRules(): AlertRuleDefinition[] {
  return DEFAULT_RULES.map((r) => ruleKindRegistry.parseDefinition(alertRuleInputSchema.parse(r)));
}
