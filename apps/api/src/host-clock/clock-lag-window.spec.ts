import { describe, expect, it } from 'vitest';
import { ClockLagWindow } from './clock-lag-window.ts';

describe('ClockLagWindow', () => {
  const HOUR = 3_600_000;

  it('ignores back-to-back snapshots (a replay) and reports the smallest lag of paced ones', () => {
    const w = new ClockLagWindow(10_000);
    let t = 1_000_000_000;
    for (let i = 0; i < 50; i++) w.add((t += 20), HOUR + 30 * 60_000 - i * 1000); // replay: big, shrinking lags
    expect(w.minLag()).toBeNull();
    w.add((t += 10_000), HOUR + 150);
    expect(w.minLag()).toBeNull(); // one live snapshot is not enough
    w.add((t += 10_000), HOUR + 80);
    expect(w.minLag()).toBe(HOUR + 80);
  });

  it('forgets lags older than its window, so a clock that was fixed stops counting as behind', () => {
    const w = new ClockLagWindow(10_000);
    let t = 1_000_000_000;
    w.add(t, 0);
    for (let i = 0; i < 3; i++) w.add((t += 10_000), 500);
    expect(w.minLag()).toBe(500);
    for (let i = 0; i < 70; i++) w.add((t += 10_000), HOUR);
    expect(w.minLag()).toBe(HOUR);
  });
});
