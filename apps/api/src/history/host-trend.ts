import { forecastExhaustion } from '@portpressure/domain';
import type { HostTrend } from '@portpressure/protocol';

/** The sparkline's length: the last hour, one point per minute. */
export const TREND_MINUTES = 60;
/**
 * The forecast fits a line through the last 15 minutes: long enough that a few noisy samples do
 * not swing it, short enough that a leak starting now shows within minutes.
 */
export const FORECAST_WINDOW_MINUTES = 15;
const MINUTE = 60_000;

/** One stored snapshot as the trend sees it. */
export interface TrendSample {
  /** takenAt, ms since the epoch. */
  t: number;
  pressure: number;
  usable: number;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * Folds new snapshots into a host's trend: each minute keeps its highest pressure, the window
 * follows the newest minute seen (samples older than the window are dropped, a late one inside
 * it fills its minute), and the forecast is refitted on the trailing minutes. The value fitted is
 * the worst tuple's `used − reclaimable` (pressure × usable) against the latest `usable`.
 * `clockOffsetMs` (agent − API clock, ClockSkews.offsetMs) moves the forecast's exhaustsAt into the
 * API's time; the per-minute pressure stays in the agent's, like the history it summarises.
 */
export function mergeTrend(previous: HostTrend | null, samples: TrendSample[], clockOffsetMs = 0): HostTrend | null {
  if (samples.length === 0) return previous;
  const minutes = new Map<number, number>();
  const keep = (minute: number, pressure: number) => minutes.set(minute, Math.max(minutes.get(minute) ?? 0, pressure));
  if (previous) {
    previous.pressure.forEach((p, i) => {
      if (p !== null) keep(previous.start + i * MINUTE, p);
    });
  }
  let newest: TrendSample | undefined;
  for (const s of samples) {
    keep(Math.floor(s.t / MINUTE) * MINUTE, s.pressure);
    if (!newest || s.t >= newest.t) newest = s;
  }
  const last = Math.max(...minutes.keys());
  const start = last - (TREND_MINUTES - 1) * MINUTE;
  const pressure = Array.from({ length: TREND_MINUTES }, (_, i) => {
    const p = minutes.get(start + i * MINUTE);
    return p === undefined ? null : round4(p);
  });
  // the newest snapshot's usable; a batch of only late samples keeps the previous ceiling
  const usable = newest && (!previous || newest.t >= last) ? newest.usable : (previous?.usable ?? 0);
  const fitFrom = last - (FORECAST_WINDOW_MINUTES - 1) * MINUTE;
  const points = pressure
    .map((p, i) => ({ t: start + i * MINUTE, p }))
    .filter((x): x is { t: number; p: number } => x.p !== null && x.t >= fitFrom)
    .map((x) => ({ t: x.t, value: x.p * usable }));
  const now = Math.max(last, newest?.t ?? last);
  const forecast = usable > 0 ? forecastExhaustion(points, usable, now) : { slopePerSecond: 0, exhaustsAt: null };
  return {
    start,
    stepSeconds: 60,
    pressure,
    slopePerSecond: Number(forecast.slopePerSecond.toPrecision(6)),
    // Fitted in the agent's time (its snapshots' takenAt); shown against the API's clock.
    exhaustsAt: forecast.exhaustsAt === null ? null : new Date(forecast.exhaustsAt - clockOffsetMs).toISOString(),
    usable,
  };
}

/** Whether two trends say the same (a merge that changed nothing need not be written or sent). */
export function sameTrend(a: HostTrend | null, b: HostTrend | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.start === b.start &&
    a.stepSeconds === b.stepSeconds &&
    a.usable === b.usable &&
    a.slopePerSecond === b.slopePerSecond &&
    a.exhaustsAt === b.exhaustsAt &&
    a.pressure.length === b.pressure.length &&
    a.pressure.every((p, i) => p === b.pressure[i])
  );
}
