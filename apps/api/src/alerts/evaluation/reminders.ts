/** The parts of a firing incident that decide whether the timer owes it a notification. */
export interface ReminderState {
  status: string;
  firingNotified: boolean;
  lastNotifiedAt: Date | null;
  acknowledgedAt: Date | null;
  silencedUntil: Date | null;
}

/**
 * What the timer sends for an incident now, if anything. A silence holds everything back until it
 * ends; a firing notification that never went out goes first; then reminders every
 * `repeatIntervalSeconds` (0: none) until someone acknowledges.
 */
export function dueNotification(incident: ReminderState, repeatIntervalSeconds: number, now: Date): 'firing' | 'reminder' | null {
  if (incident.status !== 'firing') return null;
  if (incident.silencedUntil !== null && incident.silencedUntil > now) return null;
  if (!incident.firingNotified) return 'firing';
  if (incident.acknowledgedAt !== null || repeatIntervalSeconds <= 0) return null;
  const last = incident.lastNotifiedAt?.getTime() ?? 0;
  return now.getTime() - last >= repeatIntervalSeconds * 1000 ? 'reminder' : null;
}
