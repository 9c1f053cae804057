import { durationText, forecastExhaustion, ratioText, type ForecastPoint } from '@portpressure/domain';
import type { PortReport } from '@portpressure/protocol';
import { z } from 'zod';
import { forecastPhrase } from '../../../notifications/notification-format.ts';
import { groupKeyFor, tupleKey, tupleMeasurement, tupleOf, type Observation } from '../../evaluation/rule-evaluation.ts';
import { recyclingSentence, withKernelEvidence } from '../../evaluation/kernel-evidence.ts';
import { DAY_SECONDS, secondsSetting, sustainSnapshotsField, sustainSetting, type RuleKind } from './rule-kind.ts';

/** Tuples per snapshot that get a forecast: the worst ones, plus any already pending or firing. */
const TOP_TUPLES = 50;

/**
 * Forecast rule: a least-squares line through the tuple's `used − reclaimable` over the trailing
 * `windowSeconds` reaches `usable` within `withinSeconds`, for `sustainSnapshots` snapshots in a
 * row, with at least `minSamples` points in the window, on a tuple at `minPressure` or more. It
 * resolves once growth stops or the forecast moves beyond `withinSeconds × (1 + resolveMargin)`.
 */
export const forecastParamsSchema = z.object({
  withinSeconds: secondsSetting(30 * DAY_SECONDS),
  /**
   * Tuples below this pressure are not forecast: one or two ports more on a nearly idle tuple
   * extrapolate to "runs out soon" in a small range, which is noise, not a trend.
   */
  minPressure: z.number().min(0).max(1).default(0.1),
  windowSeconds: secondsSetting(7 * DAY_SECONDS).default(600),
  minSamples: z.number().int().min(3).max(10_000).default(5),
  sustainSnapshots: sustainSetting(2),
  resolveMargin: z.number().min(0).max(10).default(0.5),
});
export type ForecastParams = z.infer<typeof forecastParamsSchema>;

/**
 * Forecast: the least-squares line over the trailing window reaches `usable` within the horizon,
 * on a tuple already at `minPressure`.
 * `series` holds each watched tuple's `used − reclaimable` points (ms timestamps), the current
 * snapshot included; tuples without a series are not observed.
 */
export function observeForecast(
  ruleId: string,
  params: ForecastParams,
  hostId: string,
  report: PortReport,
  series: ReadonlyMap<string, ForecastPoint[]>,
  nowMs: number,
): Observation[] {
  const horizonMs = params.withinSeconds * 1000;
  const out: Observation[] = [];
  for (const t of report.tuples) {
    const tuple = tupleOf(t);
    const points = series.get(tupleKey(tuple));
    if (points === undefined) continue;
    const forecast = forecastExhaustion(points, report.usable, nowMs);
    const left = forecast.exhaustsAt === null ? Infinity : forecast.exhaustsAt - nowMs;
    out.push({
      groupKey: groupKeyFor(ruleId, hostId, tuple),
      tuple,
      breaching: points.length >= params.minSamples && t.pressure >= params.minPressure && left <= horizonMs,
      holding: left <= horizonMs * (1 + params.resolveMargin),
      measurement: withKernelEvidence(
        {
          ...tupleMeasurement(t, report.usable),
          exhaustsAt: forecast.exhaustsAt === null ? null : new Date(forecast.exhaustsAt).toISOString(),
          slopePerSecond: forecast.slopePerSecond,
        },
        report,
      ),
    });
  }
  return out;
}

const minutes = (seconds: number): string => durationText(seconds * 1000);

export const forecastRuleKind: RuleKind<ForecastParams, 'forecast'> = {
  name: 'forecast',
  displayName: 'Forecast: runs out soon',
  paramsSchema: forecastParamsSchema,
  fields: {
    withinSeconds: { label: 'Runs out within (min)', unit: 'minutes', default: 1800 },
    windowSeconds: { label: 'Trend window (min)', unit: 'minutes', default: 600, hint: 'least-squares fit over this much history' },
    minSamples: { label: 'Minimum samples', unit: 'count', default: 5 },
    minPressure: { label: 'Only tuples from (%)', unit: 'percent', default: 0.1 },
    sustainSnapshots: sustainSnapshotsField(3),
  },
  condition: (p) =>
    `runs out within ${minutes(p.withinSeconds)} (fit over ${minutes(p.windowSeconds)}, ≥ ${p.minSamples} samples, tuples from ${ratioText(p.minPressure)})`,
  sustain: (p) => p.sustainSnapshots,
  couldBreach: (p, _report, worst) => worst >= p.minPressure,
  trend: (p) => ({ seconds: p.windowSeconds, wants: (_t, index, watched) => index < TOP_TUPLES || watched }),
  // Fits use the agent's clock throughout: sample times and "now" are both its takenAt.
  onSnapshot: (p, c) => observeForecast(c.ruleId, p, c.hostId, c.report, c.series(p.windowSeconds), c.takenAtMs),
  summary(n, { still, where, now }) {
    const when = n.exhaustsAt === undefined || n.exhaustsAt === null ? 'soon' : forecastPhrase(n.exhaustsAt, now);
    return `${where} is ${still}forecast to run out of ephemeral ports ${when}.${recyclingSentence(n.kernelEvidence)}`;
  },
};
