import { createHash } from 'node:crypto';
import type { AlertNotification } from '../notification.ts';

/**
 * One key per incident, the same for its firing, reminder and resolved messages, so on-call tools
 * pair a resolve with its trigger (PagerDuty dedup_key, Opsgenie alias, Alertmanager fingerprint).
 * A rule + host + tuple (the group key) can fire again later: its start time makes each incident
 * distinct. Hashed, because group keys can be longer than PagerDuty's 255 characters. A test
 * message gets a key of its own so it never touches a real incident.
 */
export function incidentKey(n: Pick<AlertNotification, 'kind' | 'id' | 'groupKey' | 'startedAt'>): string {
  const source = n.kind === 'test' ? n.id : `${n.groupKey}\n${n.startedAt}`;
  return `portpressure-${createHash('sha256').update(source).digest('hex').slice(0, 32)}`;
}
