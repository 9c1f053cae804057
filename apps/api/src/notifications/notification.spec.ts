import { describe, expect, it } from 'vitest';
import {
  aFiringNotification,
  aForecastNotification,
  aResolvedNotification,
  FIXED_NOW,
} from '../../test/notifications/support/notification-factory.ts';
import {
  alertNotificationSchema,
  formatDuration,
  formatPercent,
  formatTuple,
  incidentDurationSeconds,
  renderFacts,
  renderSummary,
  renderText,
  renderTitle,
  truncate,
} from './notification.ts';

describe('renderText', () => {
  it('says what, where and how bad for a pressure alert', () => {
    const text = renderText(aFiringNotification(), { now: FIXED_NOW });
    expect(text.split('\n')[0]).toBe('CRITICAL: Port pressure critical on web-1.prod');
    expect(text).toContain('Ephemeral port pressure on web-1.prod for tcp 10.0.0.5:5432 from 10.0.0.2 is high at 92.3%.');
    expect(text).toContain('Labels: env=prod, team=payments');
    expect(text).toContain('Ports used: 58,213 of 63,000 usable');
    expect(text).toContain('TIME_WAIT: 81% of used');
    expect(text).toContain('Host page: https://portpressure.example.com/hosts/host-42');
    expect(text).not.toContain('Lasted');
  });

  it('gives the forecast time to exhaustion relative to now', () => {
    const text = renderText(aForecastNotification(), { now: FIXED_NOW });
    expect(text).toContain('forecast to run out of ephemeral ports in 12m (at 2026-05-01T10:17:00.000Z)');
    expect(text).toContain('Runs out: in 12m');
    expect(text.split('\n')[0]).toBe('WARNING: Runs out within 30 minutes on web-1.prod');
  });

  it('says a forecast is already due once its time has passed', () => {
    const text = renderSummary(aForecastNotification(), { now: new Date('2026-05-01T11:00:00Z') });
    expect(text).toContain('run out of ephemeral ports now');
  });

  it('says there is no exhaustion at the current trend when the forecast is null', () => {
    const facts = renderFacts(aForecastNotification({ exhaustsAt: null }), { now: FIXED_NOW });
    expect(facts).toContainEqual({ label: 'Runs out', value: 'not at the current trend' });
  });

  it('says how long a resolved incident lasted, from the timestamps when no duration is given', () => {
    const text = renderText(aResolvedNotification(), { now: FIXED_NOW });
    expect(text.split('\n')[0]).toBe('RESOLVED: Port pressure critical on web-1.prod');
    expect(text).toContain('Resolved after 1h 2m');
    expect(text).toContain('Resolved: 2026-05-01T11:02:05.000Z');
    expect(text).toContain('Lasted: 1h 2m');
  });

  it('prefers the explicit duration over the timestamps', () => {
    expect(incidentDurationSeconds(aResolvedNotification({ durationSeconds: 90 }))).toBe(90);
    expect(renderSummary(aResolvedNotification({ durationSeconds: 90 }))).toContain('after 1m 30s');
  });

  it('describes an offline host without a tuple', () => {
    const n = aFiringNotification({
      ruleKind: 'offline',
      ruleName: 'Host offline',
      tuple: undefined,
      pressure: undefined,
      used: undefined,
      usable: undefined,
      timeWaitShare: undefined,
    });
    expect(renderSummary(n)).toBe('web-1.prod has stopped reporting.');
    expect(renderFacts(n).map((f) => f.label)).toEqual(['Host', 'Labels', 'Rule', 'Started']);
  });

  it('marks reminders as still firing and test messages as tests', () => {
    expect(renderTitle(aFiringNotification({ kind: 'reminder' }))).toBe('STILL FIRING (CRITICAL): Port pressure critical on web-1.prod');
    expect(renderSummary(aFiringNotification({ kind: 'reminder' }))).toContain('is still high');
    expect(renderTitle(aFiringNotification({ kind: 'test' }))).toMatch(/^TEST: /);
    expect(renderSummary(aFiringNotification({ kind: 'test' }))).toContain('the channel works');
  });
});

describe('formatting helpers', () => {
  it('brackets IPv6 destinations before the port', () => {
    expect(formatTuple({ protocol: 'tcp', localAddress: 'fd00::2', remoteAddress: '2001:db8::5', remotePort: 443 })).toBe(
      'tcp [2001:db8::5]:443 from fd00::2',
    );
  });

  it.each([
    [0, '0s'],
    [12, '12s'],
    [90, '1m 30s'],
    [3_600, '1h'],
    [3_725, '1h 2m'],
    [93_600, '1d 2h'],
    [86_400 + 59, '1d'],
  ])('formats %i seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([
    [0.9234, '92.3%'],
    [2 / 3, '66.7%'],
    [1, '100%'],
    [0, '0%'],
  ])('formats ratio %d as %s', (ratio, text) => {
    expect(formatPercent(ratio)).toBe(text);
  });

  it('marks truncated text with an ellipsis and keeps it within the limit', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('alertNotificationSchema', () => {
  it('accepts the factory notifications', () => {
    for (const n of [aFiringNotification(), aResolvedNotification(), aForecastNotification()]) {
      expect(alertNotificationSchema.parse(n)).toEqual(n);
    }
  });

  it('refuses a pressure above 1, a non-http host link and an id that cannot go in a header', () => {
    expect(alertNotificationSchema.safeParse(aFiringNotification({ pressure: 1.2 })).success).toBe(false);
    expect(alertNotificationSchema.safeParse(aFiringNotification({ hostUrl: 'javascript:alert(1)' })).success).toBe(false);
    expect(alertNotificationSchema.safeParse(aFiringNotification({ id: 'a\r\nb' })).success).toBe(false);
  });
});
