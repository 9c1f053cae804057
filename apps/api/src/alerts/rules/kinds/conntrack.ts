import { ratioText } from '@portpressure/domain';
import type { Conntrack, PortReport } from '@portpressure/protocol';
import { z } from 'zod';
import { conntrackText } from '../../../notifications/notification-format.ts';
import { groupKeyFor, type Observation } from '../../evaluation/rule-evaluation.ts';
import { recyclingSentence, withKernelEvidence } from '../../evaluation/kernel-evidence.ts';
import { countOf, hysteresisFields, hysteresisSchema, type RuleKind } from './rule-kind.ts';

/**
 * Conntrack rule: the namespace's conntrack table is `threshold` full, or the kernel failed at least
 * `minFailures` inserts or dropped that many entries (insert_failed + drop + early_drop growth) since
 * the previous snapshot, for `sustainSnapshots` snapshots in a row. It resolves once the table is
 * below `threshold − resolveMargin` and the failures stopped. `minFailures` 0 watches the fill only.
 */
export const conntrackParamsSchema = hysteresisSchema(1, { minFailures: z.number().int().min(0).max(1_000_000_000).default(1) });
export type ConntrackParams = z.infer<typeof conntrackParamsSchema>;

/** Entries the kernel could not insert or dropped since the previous snapshot (0 on the first). */
export function conntrackFailures(c: Conntrack): number {
  return (c.insertFailed ?? 0) + (c.drop ?? 0) + (c.earlyDrop ?? 0);
}

function failing(params: ConntrackParams, c: Conntrack): boolean {
  return params.minFailures > 0 && conntrackFailures(c) >= params.minFailures;
}

const fill = (c: Conntrack): number => (c.max > 0 ? Math.min(1, c.count / c.max) : 0);

/** One observation per host (the table is the namespace's); none when the report has no conntrack figures. */
export function observeConntrack(ruleId: string, params: ConntrackParams, hostId: string, report: PortReport): Observation[] {
  const c = report.diagnostics?.conntrack;
  if (c === undefined || c === null) return [];
  const failed = failing(params, c);
  return [
    {
      groupKey: groupKeyFor(ruleId, hostId, null),
      tuple: null,
      breaching: failed || fill(c) >= params.threshold,
      holding: failed || fill(c) >= params.threshold - params.resolveMargin,
      measurement: withKernelEvidence({ pressure: fill(c), conntrack: c }, report),
    },
  ];
}

export const conntrackRuleKind: RuleKind<ConntrackParams, 'conntrack'> = {
  name: 'conntrack',
  displayName: 'Conntrack table full or failing',
  paramsSchema: conntrackParamsSchema,
  fields: {
    threshold: { label: 'Table fill (%)', unit: 'percent', default: 0.8, hint: 'nf_conntrack_count / nf_conntrack_max' },
    minFailures: {
      label: 'Failures per snapshot',
      unit: 'count',
      default: 1,
      hint: 'insert_failed + drop + early_drop growth that fires at any fill; 0 watches the fill only',
    },
    ...hysteresisFields(1),
  },
  condition: (p) => {
    const failures = p.minFailures > 0 ? ` or ≥ ${countOf(p.minFailures, 'failed/dropped entry', 'failed/dropped entries')}` : '';
    return `conntrack table ≥ ${ratioText(p.threshold)} full${failures} for ${countOf(p.sustainSnapshots, 'snapshot')}`;
  },
  sustain: (p) => p.sustainSnapshots,
  couldBreach: (p, report) => {
    const c = report.diagnostics?.conntrack;
    return c !== undefined && c !== null && (failing(p, c) || fill(c) >= p.threshold);
  },
  onSnapshot: (p, c) => observeConntrack(c.ruleId, p, c.hostId, c.report),
  summary(n, { still, where }) {
    const figures = n.conntrack === undefined ? '' : ` (${conntrackText(n.conntrack)})`;
    return `The conntrack table on ${where} is ${still}full or failing${figures}.${recyclingSentence(n.kernelEvidence)}`;
  },
};
