import { ratioText } from '@portpressure/domain';
import type { AlertNamespace, PortReport } from '@portpressure/protocol';
import type { z } from 'zod';
import { formatPercent } from '../../../notifications/notification-format.ts';
import {
  groupKeyFor,
  tupleKey,
  tupleMeasurement,
  tupleOf,
  withTrend,
  type Observation,
  type TrendInput,
} from '../../evaluation/rule-evaluation.ts';
import { recyclingSentence, withKernelEvidence } from '../../evaluation/kernel-evidence.ts';
import { countOf, hysteresisFields, hysteresisSchema, resolvesBelow, type RuleKind } from './rule-kind.ts';

/** History behind the "runs out in …" of pressure messages (a forecast rule uses its own window). */
const TREND_SECONDS = 600;

/**
 * Pressure rule: a tuple's pressure at or above `threshold` for `sustainSnapshots` snapshots in a
 * row fires; it resolves only once pressure drops below `threshold − resolveMargin`, so a value
 * hovering at the threshold does not flap.
 */
export const pressureParamsSchema = hysteresisSchema(3);
export type PressureParams = z.infer<typeof pressureParamsSchema>;

/**
 * Pressure: breaching at or above the threshold, holding down to threshold − margin. Every
 * listed tuple is observed, so a resolution carries the figures that ended it; tuples in the band
 * with a trend also say when they run out at the current growth.
 */
export function observePressure(
  ruleId: string,
  params: PressureParams,
  hostId: string,
  report: PortReport,
  trend?: TrendInput,
  namespace?: AlertNamespace,
): Observation[] {
  const floor = params.threshold - params.resolveMargin;
  return report.tuples.map((t) => {
    const tuple = tupleOf(t);
    const holding = t.pressure >= floor;
    const measurement = withKernelEvidence(tupleMeasurement(t, report.usable), report);
    return {
      groupKey: groupKeyFor(ruleId, hostId, tuple, namespace),
      tuple,
      ...(namespace === undefined ? {} : { namespace }),
      breaching: t.pressure >= params.threshold,
      holding,
      measurement:
        holding && trend !== undefined
          ? withTrend(measurement, trend.series.get(tupleKey(tuple)), report.usable, trend.nowMs)
          : measurement,
    };
  });
}

export const pressureRuleKind: RuleKind<PressureParams, 'pressure'> = {
  name: 'pressure',
  displayName: 'Pressure above a threshold',
  paramsSchema: pressureParamsSchema,
  fields: {
    threshold: { label: 'Threshold (%)', unit: 'percent', default: 0.8, hint: '(used − reclaimable) / usable of any tuple' },
    ...hysteresisFields(3, 'resolves only below threshold − margin, so hovering values do not flap'),
  },
  condition: (p) => `pressure ≥ ${ratioText(p.threshold)} for ${countOf(p.sustainSnapshots, 'snapshot')}${resolvesBelow(p)}`,
  sustain: (p) => p.sustainSnapshots,
  couldBreach: (p, _report, worst) => worst >= p.threshold,
  // Only tuples in the hysteresis band get a trend: their messages say when the tuple runs out.
  trend: (p) => ({ seconds: TREND_SECONDS, wants: (t) => t.pressure >= p.threshold - p.resolveMargin }),
  // A namespace's tuples have no stored trend (their history is the namespace's own): no forecast in its messages.
  namespaces: true,
  onSnapshot: (p, c) =>
    c.namespace === undefined
      ? observePressure(c.ruleId, p, c.hostId, c.report, { series: c.series(TREND_SECONDS), nowMs: c.takenAtMs })
      : observePressure(c.ruleId, p, c.hostId, c.report, undefined, c.namespace),
  summary(n, { still, where }) {
    const level = n.pressure === undefined ? '' : ` at ${formatPercent(n.pressure)}`;
    return `Ephemeral port pressure on ${where} is ${still}high${level}.${recyclingSentence(n.kernelEvidence)}`;
  },
};
