/** One observation of a tuple's `used − reclaimable`; `t` in milliseconds since the epoch. */
export interface ForecastPoint {
  t: number;
  value: number;
}

export interface ExhaustionForecast {
  /** Growth of the fitted line in ports per second (negative when usage falls). */
  slopePerSecond: number;
  /**
   * When the fitted line reaches `usable` (ms since the epoch); `now` when it already has; null
   * when usage is flat or falling, or there are too few distinct moments to fit a line.
   */
  exhaustsAt: number | null;
}

/**
 * The forecast: time to exhaustion from the least-squares line through the trailing
 * window's points. A fitted line rather than first-to-last difference, so one noisy sample at
 * either end does not swing the forecast. Times are centred on their mean before summing, which
 * keeps the arithmetic exact enough with epoch milliseconds.
 */
export function forecastExhaustion(points: ForecastPoint[], usable: number, now: number): ExhaustionForecast {
  const n = points.length;
  if (n < 2) return { slopePerSecond: 0, exhaustsAt: null };
  let sumT = 0;
  let sumV = 0;
  for (const p of points) {
    sumT += p.t;
    sumV += p.value;
  }
  const meanT = sumT / n;
  const meanV = sumV / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const dt = p.t - meanT;
    sxx += dt * dt;
    sxy += dt * (p.value - meanV);
  }
  if (sxx === 0) return { slopePerSecond: 0, exhaustsAt: null };
  const slopePerMs = sxy / sxx;
  const slopePerSecond = slopePerMs * 1000;
  if (!(slopePerMs > 0)) return { slopePerSecond, exhaustsAt: null };
  // value(t) = meanV + slope · (t − meanT) reaches usable at:
  const at = meanT + (usable - meanV) / slopePerMs;
  return { slopePerSecond, exhaustsAt: Math.max(Math.round(at), now) };
}
