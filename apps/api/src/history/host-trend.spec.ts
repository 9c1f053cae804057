import type { HostTrend } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { FORECAST_WINDOW_MINUTES, mergeTrend, sameTrend, TREND_MINUTES, type TrendSample } from './host-trend.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-21T10:00:00Z');
const at = (minute: number, seconds = 0) => T0 + minute * MINUTE + seconds * 1000;
const sample = (t: number, pressure: number, usable = 1000): TrendSample => ({ t, pressure, usable });

describe('mergeTrend', () => {
  it('keeps the highest pressure of each minute, ending at the newest minute', () => {
    const trend = mergeTrend(null, [sample(at(0, 5), 0.2), sample(at(0, 15), 0.5), sample(at(0, 25), 0.3), sample(at(2, 0), 0.1)])!;
    expect(trend.pressure).toHaveLength(TREND_MINUTES);
    expect(trend.start + (TREND_MINUTES - 1) * MINUTE).toBe(at(2));
    expect(trend.pressure.slice(-3)).toEqual([0.5, null, 0.1]);
    expect(trend.stepSeconds).toBe(60);
  });

  it('folds later snapshots into the stored trend and drops minutes that leave the hour', () => {
    const first = mergeTrend(null, [sample(at(0), 0.4), sample(at(1), 0.6)]);
    const later = mergeTrend(first, [sample(at(60), 0.7)])!;
    // minute 0 fell out of the window [1, 60]; minute 1 stayed
    expect(later.start).toBe(at(1));
    expect(later.pressure[0]).toBe(0.6);
    expect(later.pressure.at(-1)).toBe(0.7);
    expect(later.pressure.filter((p) => p !== null)).toHaveLength(2);
  });

  it('fills a minute with a late snapshot without moving the window back', () => {
    const trend = mergeTrend(null, [sample(at(10), 0.3)]);
    const withLate = mergeTrend(trend, [sample(at(5, 30), 0.9, 500)])!;
    expect(withLate.start).toBe(trend!.start);
    expect(withLate.pressure[TREND_MINUTES - 6]).toBe(0.9);
    expect(withLate.usable).toBe(1000); // the late snapshot does not set the ceiling
  });

  it('forecasts exhaustion when used − reclaimable grows, from the trailing minutes only', () => {
    // flat at 0.9 long ago (outside the fit window), then a steady climb of 10 ports per minute
    const old = Array.from({ length: 20 }, (_, m) => sample(at(m), 0.9));
    const climb = Array.from({ length: FORECAST_WINDOW_MINUTES }, (_, i) => sample(at(40 + i), (100 + 10 * i) / 1000));
    const trend = mergeTrend(null, [...old, ...climb])!;
    expect(trend.slopePerSecond).toBeCloseTo(10 / 60, 6);
    // at minute 54 the tuple holds 240 of 1000: 760 more ports at 10 per minute = 76 minutes
    expect(Date.parse(trend.exhaustsAt!)).toBe(at(54 + 76));
  });

  it('has no exhaustion time when usage is flat or falling', () => {
    const falling = mergeTrend(
      null,
      Array.from({ length: 10 }, (_, i) => sample(at(i), 0.8 - i * 0.05)),
    )!;
    expect(falling.slopePerSecond).toBeLessThan(0);
    expect(falling.exhaustsAt).toBeNull();
    const flat = mergeTrend(
      null,
      Array.from({ length: 10 }, (_, i) => sample(at(i), 0.5)),
    )!;
    expect(flat.exhaustsAt).toBeNull();
  });

  it('returns the previous trend untouched when there is nothing new', () => {
    const trend: HostTrend | null = mergeTrend(null, [sample(at(0), 0.1)]);
    expect(mergeTrend(trend, [])).toBe(trend);
    expect(mergeTrend(null, [])).toBeNull();
  });
});

describe('sameTrend', () => {
  it('tells a merge that changed nothing from one that did, whatever the key order of the stored JSON', () => {
    const stored = mergeTrend(null, [sample(at(0, 5), 0.5), sample(at(1, 5), 0.3)])!;
    // as read back from jsonb: other key order, same values
    const readBack = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(stored).reverse()))) as HostTrend;
    expect(sameTrend(readBack, mergeTrend(readBack, [sample(at(1, 20), 0.2)]))).toBe(true); // below the minute's maximum
    expect(sameTrend(readBack, mergeTrend(readBack, [sample(at(1, 30), 0.4)]))).toBe(false); // a new maximum
    expect(sameTrend(readBack, mergeTrend(readBack, [sample(at(2, 0), 0.1)]))).toBe(false); // a new minute
    expect(sameTrend(readBack, mergeTrend(readBack, [sample(at(1, 40), 0.3, 900)]))).toBe(false); // usable changed
    expect(sameTrend(null, stored)).toBe(false);
    expect(sameTrend(null, null)).toBe(true);
  });
});
