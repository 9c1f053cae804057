import { describe, expect, it } from 'vitest';
import { forecastExhaustion, type ForecastPoint } from './forecast.ts';

const T0 = Date.parse('2026-05-01T10:00:00Z');
const series = (values: number[], stepMs = 10_000): ForecastPoint[] => values.map((value, i) => ({ t: T0 + i * stepMs, value }));

describe('forecastExhaustion', () => {
  it('extends a steady leak to the moment it reaches usable', () => {
    // +10 ports every 10 s = 1 port/s; at 40 with 100 usable, 60 s after the last point.
    const points = series([0, 10, 20, 30, 40]);
    const now = T0 + 40_000;
    const f = forecastExhaustion(points, 100, now);
    expect(f.slopePerSecond).toBeCloseTo(1, 10);
    expect(f.exhaustsAt).toBe(now + 60_000);
  });

  it('fits through noise instead of trusting the two ends', () => {
    // Underlying 1 port/s with ±3 jitter; a first-to-last estimate would say 1.15/s.
    const points = series([3, 7, 23, 27, 43, 49]);
    const f = forecastExhaustion(points, 1000, T0 + 50_000);
    expect(f.slopePerSecond).toBeGreaterThan(0.9);
    expect(f.slopePerSecond).toBeLessThan(1.1);
  });

  it('forecasts nothing for flat usage, however high', () => {
    expect(forecastExhaustion(series([95, 95, 95, 95]), 100, T0 + 30_000)).toEqual({ slopePerSecond: 0, exhaustsAt: null });
  });

  it('forecasts nothing for falling usage and reports the negative slope', () => {
    const f = forecastExhaustion(series([80, 70, 60]), 100, T0 + 20_000);
    expect(f.exhaustsAt).toBeNull();
    expect(f.slopePerSecond).toBeCloseTo(-1, 10);
  });

  it('says "now" when the fitted line is already past usable', () => {
    const now = T0 + 20_000;
    expect(forecastExhaustion(series([90, 100, 110]), 100, now).exhaustsAt).toBe(now);
  });

  it('needs two distinct moments to fit a line', () => {
    expect(forecastExhaustion([], 100, T0)).toEqual({ slopePerSecond: 0, exhaustsAt: null });
    expect(forecastExhaustion([{ t: T0, value: 5 }], 100, T0)).toEqual({ slopePerSecond: 0, exhaustsAt: null });
    expect(
      forecastExhaustion(
        [
          { t: T0, value: 5 },
          { t: T0, value: 9 },
        ],
        100,
        T0,
      ),
    ).toEqual({ slopePerSecond: 0, exhaustsAt: null });
  });

  it('does not depend on the order of the points', () => {
    const points = series([0, 10, 20, 30]);
    const now = T0 + 30_000;
    expect(forecastExhaustion([...points].reverse(), 100, now)).toEqual(forecastExhaustion(points, 100, now));
  });
});
