import { ratioText } from '@portpressure/domain';
import type { AlertTuple, PortReport, SnatPool } from '@portpressure/protocol';
import type { z } from 'zod';
import { formatPercent } from '../../../notifications/notification-format.ts';
import { groupKeyFor, type Observation } from '../../evaluation/rule-evaluation.ts';
import { recyclingSentence, withKernelEvidence } from '../../evaluation/kernel-evidence.ts';
import { countOf, hysteresisFields, hysteresisSchema, resolvesBelow, type RuleKind } from './rule-kind.ts';

/**
 * SNAT rule: on a host that masquerades, a pool's translated source ports in use toward one
 * destination reach `threshold` of the NAT port range for `sustainSnapshots` snapshots in a row;
 * resolves below `threshold − resolveMargin`. Past the range the kernel drops new connections
 * silently (no errno), so this fires before clients see failures.
 */
export const snatParamsSchema = hysteresisSchema(1);
export type SnatParams = z.infer<typeof snatParamsSchema>;

/** A pool as an incident's tuple: the translated source is its local address. */
export function snatTuple(pool: SnatPool): AlertTuple {
  return { protocol: 'tcp', localAddress: pool.translatedAddress, remoteAddress: pool.remoteAddress, remotePort: pool.remotePort };
}

/** Every listed pool of the report is observed; reports without SNAT figures observe none. */
export function observeSnat(ruleId: string, params: SnatParams, hostId: string, report: PortReport): Observation[] {
  const floor = params.threshold - params.resolveMargin;
  return (report.diagnostics?.snat?.pools ?? []).map((pool) => {
    const tuple = snatTuple(pool);
    return {
      groupKey: groupKeyFor(ruleId, hostId, tuple),
      tuple,
      breaching: pool.pressure >= params.threshold,
      holding: pool.pressure >= floor,
      measurement: withKernelEvidence({ pressure: pool.pressure, used: pool.portsInUse, usable: pool.capacity }, report),
    };
  });
}

export const snatRuleKind: RuleKind<SnatParams, 'snat'> = {
  name: 'snat',
  displayName: 'SNAT ports running out',
  paramsSchema: snatParamsSchema,
  fields: {
    threshold: {
      label: 'Threshold (%)',
      unit: 'percent',
      default: 0.8,
      hint: 'translated source ports in use of the NAT port range, per destination',
    },
    ...hysteresisFields(1),
  },
  condition: (p) =>
    `SNAT ports in use ≥ ${ratioText(p.threshold)} of the NAT range for ${countOf(p.sustainSnapshots, 'snapshot')}${resolvesBelow(p)}`,
  sustain: (p) => p.sustainSnapshots,
  couldBreach: (p, report) => (report.diagnostics?.snat?.pools ?? []).some((pool) => pool.pressure >= p.threshold),
  onSnapshot: (p, c) => observeSnat(c.ruleId, p, c.hostId, c.report),
  summary(n, { still, where }) {
    const share = n.pressure === undefined ? '' : `, ${formatPercent(n.pressure)}`;
    const figures = n.used === undefined || n.usable === undefined ? '' : ` (${n.used} of ${n.usable} ports${share})`;
    return `SNAT on ${where} is ${still}running out of translated source ports${figures}.${recyclingSentence(n.kernelEvidence)}`;
  },
};
