import { ratioText } from '@portpressure/domain';
import { z } from 'zod';
import { formatPercent } from '../../../notifications/notification-format.ts';
import {
  countOf,
  marginBelowThreshold,
  resolveMarginField,
  resolvesBelow,
  tickHysteresisSettings,
  type AnchoredObservation,
  type RuleKind,
} from './rule-kind.ts';

/**
 * Egress rule: an egress group's connections to one destination reach `threshold` of that
 * destination's limit for `sustainTicks` timer passes in a row; resolves below threshold − margin.
 */
export const egressParamsSchema = z.object({ ...tickHysteresisSettings(2) }).refine(...marginBelowThreshold);
export type EgressParams = z.infer<typeof egressParamsSchema>;

/** `address:port`, IPv6 in brackets: how people and the limits API write a destination. */
export function endpointText(remoteAddress: string, remotePort: number): string {
  return remoteAddress.includes(':') ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}

export const egressRuleKind: RuleKind<EgressParams, 'egress'> = {
  name: 'egress',
  displayName: 'Egress budget of a group near its limit',
  paramsSchema: egressParamsSchema,
  fields: {
    threshold: {
      label: 'Threshold (% of the limit)',
      unit: 'percent',
      default: 0.9,
      hint: "connections of an egress group's hosts to one destination, against that destination's limit",
    },
    resolveMargin: resolveMarginField(),
    sustainTicks: { label: 'Sustained for (timer passes)', unit: 'count', default: 2 },
  },
  condition: (p) =>
    `an egress group's connections to one destination ≥ ${ratioText(p.threshold)} of its limit for ${countOf(p.sustainTicks, 'timer pass', 'timer passes')}${resolvesBelow(p)}`,
  sustain: (p) => p.sustainTicks,
  // Fleet-wide: the timer evaluates it through `fleet`; a host's snapshot alone decides nothing.
  couldBreach: () => false,
  onSnapshot: () => [],
  fleet: {
    observe: (p, { ruleId, egress }) =>
      egress.flatMap((g) =>
        g.destinations.map(
          (d): AnchoredObservation => ({
            hostId: g.anchorHostId,
            groupKey: `${ruleId}|egress|${g.name}|${endpointText(d.remoteAddress, d.remotePort)}`,
            tuple: null,
            breaching: d.share >= p.threshold,
            holding: d.share >= p.threshold - p.resolveMargin,
            measurement: {
              egressGroup: g.name,
              destination: endpointText(d.remoteAddress, d.remotePort),
              connections: d.connections,
              limit: d.limit,
              share: d.share,
            },
          }),
        ),
      ),
  },
  summary(n, { still }) {
    const e = n.egress;
    if (e === undefined) return `An egress budget is ${still}near its limit.`;
    return `Egress group ${e.group} is ${still}at ${formatPercent(e.connections / e.limit)} of its limit to ${e.destination}: ${e.connections} of ${e.limit} connections.`;
  },
};
