import { describe, expect, it } from 'vitest';
import { dueNotification, type ReminderState } from './reminders.ts';

const now = new Date('2026-05-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const firing = (overrides: Partial<ReminderState> = {}): ReminderState => ({
  status: 'firing',
  firingNotified: true,
  lastNotifiedAt: minutesAgo(61),
  acknowledgedAt: null,
  silencedUntil: null,
  ...overrides,
});

describe('dueNotification', () => {
  it('reminds once the repeat interval has passed since the last notification', () => {
    expect(dueNotification(firing(), 3600, now)).toBe('reminder');
    expect(dueNotification(firing({ lastNotifiedAt: minutesAgo(59) }), 3600, now)).toBeNull();
  });

  it('sends no reminders when the interval is 0', () => {
    expect(dueNotification(firing(), 0, now)).toBeNull();
  });

  it('stops reminding once acknowledged', () => {
    expect(dueNotification(firing({ acknowledgedAt: minutesAgo(5) }), 3600, now)).toBeNull();
  });

  it('holds everything back while silenced, and resumes when the silence ends', () => {
    expect(dueNotification(firing({ silencedUntil: new Date(now.getTime() + 1000) }), 3600, now)).toBeNull();
    expect(dueNotification(firing({ silencedUntil: minutesAgo(1) }), 3600, now)).toBe('reminder');
  });

  it('sends a firing notification that never went out before any reminder', () => {
    expect(dueNotification(firing({ firingNotified: false, lastNotifiedAt: null }), 3600, now)).toBe('firing');
  });

  it('owes nothing for a resolved incident', () => {
    expect(dueNotification(firing({ status: 'resolved' }), 3600, now)).toBeNull();
  });
});
