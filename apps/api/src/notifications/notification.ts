import { z } from 'zod';
import {
  alertNamespaceSchema,
  alertRuleKindSchema,
  conntrackSchema,
  ipAddressSchema,
  kernelCounterDeltaSchema,
  labelsSchema,
} from '@portpressure/protocol';
import { ruleKindRegistry } from '../alerts/rules/kinds/index.ts';
import { conntrackText, forecastPhrase, formatDuration, formatPercent } from './notification-format.ts';

export { conntrackText, forecastPhrase, formatDuration, formatPercent } from './notification-format.ts';

const ratio = z.number().min(0).max(1);
const isoTime = z.iso.datetime({ offset: true });

/**
 * One alert message, independent of the chat service that will carry it. The alert engine
 * builds it from an incident transition; every provider renders it; the generic webhook sends it
 * as is, so this schema is also the contract for webhook receivers.
 */
export const alertNotificationSchema = z.object({
  /** Unique per notification and kept across retries, so a receiver can drop duplicates. */
  id: z.string().regex(/^[\x21-\x7e]{1,200}$/, 'id must be 1-200 printable ASCII characters'),
  kind: z.enum(['firing', 'resolved', 'reminder', 'test']),
  severity: z.enum(['warning', 'critical']),
  ruleName: z.string().min(1).max(200),
  /** The rule's kind, e.g. `pressure`, `forecast` or `offline`. */
  ruleKind: alertRuleKindSchema,
  /** Stable identity of the incident (rule + host + tuple where relevant). */
  groupKey: z.string().min(1).max(500),
  host: z.object({
    id: z.string().min(1),
    hostname: z.string().min(1).max(253),
    labels: labelsSchema,
  }),
  /** The destination tuple the incident is about; absent for host-wide rules such as offline. */
  tuple: z
    .object({
      protocol: z.literal('tcp'),
      localAddress: ipAddressSchema,
      remoteAddress: ipAddressSchema,
      remotePort: z.number().int().min(1).max(65_535),
    })
    .optional(),
  /** The network namespace (pod, container, ip netns) the tuple is in, when not the host's own. */
  namespace: alertNamespaceSchema.optional(),
  /** (used − reclaimable) / usable of the tuple when the notification was made. */
  pressure: ratio.optional(),
  used: z.number().int().min(0).optional(),
  usable: z.number().int().min(0).optional(),
  /** Share of `used` sitting in TIME_WAIT. */
  timeWaitShare: ratio.optional(),
  /** Forecast moment of exhaustion; null when the trend is flat or falling. */
  exhaustsAt: isoTime.nullable().optional(),
  /** Conntrack rule: the table's fill and failures. */
  conntrack: conntrackSchema.optional(),
  /** Kernel counters that grew and show ports being recycled or lost. */
  kernelEvidence: z.array(kernelCounterDeltaSchema).optional(),
  startedAt: isoTime,
  resolvedAt: isoTime.optional(),
  /** How long the incident lasted; computed from the timestamps when absent. */
  durationSeconds: z.number().min(0).optional(),
  /** Egress rule: the group of hosts, the destination and its connections against the limit. */
  egress: z
    .object({ group: z.string(), destination: z.string(), connections: z.number().int().min(0), limit: z.number().int().min(1) })
    .optional(),
  /** Link to the host page in the Portpressure UI. */
  hostUrl: z.url({ protocol: /^https?$/ }),
});
export type AlertNotification = z.infer<typeof alertNotificationSchema>;
export type NotificationKind = AlertNotification['kind'];
export type NotificationTuple = NonNullable<AlertNotification['tuple']>;

/** A labelled value as cards, embeds and fact sets show it. */
export interface NotificationFact {
  label: string;
  value: string;
}

/** Wall clock used for "runs out in …": injectable so rendered text is reproducible in tests. */
export interface RenderOptions {
  now?: Date;
}

/** IPv6 needs brackets before a port, or "::1:443" is ambiguous. */
function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** "tcp 10.0.0.5:5432 from 10.0.0.2": the destination first, as people search for it. */
export function formatTuple(tuple: NotificationTuple): string {
  return `${tuple.protocol} ${formatEndpoint(tuple.remoteAddress, tuple.remotePort)} from ${tuple.localAddress}`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Seconds from start to resolution, from the explicit field or the two timestamps. */
export function incidentDurationSeconds(n: AlertNotification): number | undefined {
  if (n.durationSeconds !== undefined) return n.durationSeconds;
  if (n.resolvedAt === undefined) return undefined;
  const ms = Date.parse(n.resolvedAt) - Date.parse(n.startedAt);
  return Number.isFinite(ms) ? Math.max(0, ms / 1000) : undefined;
}

function severityLabel(n: AlertNotification): string {
  return n.severity === 'critical' ? 'CRITICAL' : 'WARNING';
}

/** Short status word used as a prefix and by providers to pick colours. */
function statusLabel(n: AlertNotification): string {
  switch (n.kind) {
    case 'firing':
      return severityLabel(n);
    case 'resolved':
      return 'RESOLVED';
    case 'reminder':
      return `STILL FIRING (${severityLabel(n)})`;
    case 'test':
      return 'TEST';
  }
}

/** One line: status, rule and host. Fits Slack's 150-character header after truncation. */
export function renderTitle(n: AlertNotification): string {
  return `${statusLabel(n)}: ${n.ruleName} on ${n.host.hostname}`;
}

/** One or two sentences saying what happened, where and how bad. */
export function renderSummary(n: AlertNotification, options: RenderOptions = {}): string {
  const now = options.now ?? new Date();
  const host = n.namespace === undefined ? n.host.hostname : `${n.namespace.label} on ${n.host.hostname}`;
  const where = n.tuple === undefined ? host : `${host} for ${formatTuple(n.tuple)}`;
  if (n.kind === 'test') {
    return `Test notification from Portpressure for ${n.host.hostname}. If you can read this, the channel works.`;
  }
  if (n.kind === 'resolved') {
    const lasted = incidentDurationSeconds(n);
    const after = lasted === undefined ? '' : ` after ${formatDuration(lasted)}`;
    return `Resolved${after}: "${n.ruleName}" no longer holds on ${where}.`;
  }
  const still = n.kind === 'reminder' ? 'still ' : '';
  return ruleKindRegistry.summary(n, { still, where, now });
}

/**
 * The labelled details every provider shows, in reading order: where, how bad, when.
 * Absent measurements are left out rather than shown as "n/a".
 */
export function renderFacts(n: AlertNotification, options: RenderOptions = {}): NotificationFact[] {
  const now = options.now ?? new Date();
  const facts: NotificationFact[] = [{ label: 'Host', value: n.host.hostname }];
  const labels = Object.entries(n.host.labels);
  if (labels.length > 0) {
    facts.push({ label: 'Labels', value: labels.map(([k, v]) => `${k}=${v}`).join(', ') });
  }
  if (n.namespace !== undefined) facts.push({ label: 'Namespace', value: n.namespace.label });
  if (n.tuple !== undefined) facts.push({ label: 'Tuple', value: formatTuple(n.tuple) });
  if (n.pressure !== undefined) facts.push({ label: 'Pressure', value: formatPercent(n.pressure) });
  if (n.used !== undefined && n.usable !== undefined) {
    facts.push({ label: 'Ports used', value: `${formatCount(n.used)} of ${formatCount(n.usable)} usable` });
  }
  if (n.timeWaitShare !== undefined) {
    facts.push({ label: 'TIME_WAIT', value: `${formatPercent(n.timeWaitShare)} of used` });
  }
  if (n.conntrack !== undefined) facts.push({ label: 'Conntrack', value: conntrackText(n.conntrack) });
  if (n.kernelEvidence !== undefined && n.kernelEvidence.length > 0) {
    facts.push({ label: 'Kernel', value: n.kernelEvidence.map((k) => `${k.name} +${formatCount(k.delta)}`).join(', ') });
  }
  if (n.exhaustsAt !== undefined) {
    facts.push({
      label: 'Runs out',
      value: n.exhaustsAt === null ? 'not at the current trend' : forecastPhrase(n.exhaustsAt, now),
    });
  }
  facts.push({ label: 'Rule', value: `${n.ruleName} (${n.ruleKind}, ${n.severity})` });
  facts.push({ label: 'Started', value: n.startedAt });
  if (n.kind === 'resolved') {
    if (n.resolvedAt !== undefined) facts.push({ label: 'Resolved', value: n.resolvedAt });
    const lasted = incidentDurationSeconds(n);
    if (lasted !== undefined) facts.push({ label: 'Lasted', value: formatDuration(lasted) });
  }
  return facts;
}

/** The whole message as plain text: fallback for notifications, the generic webhook's `text`. */
export function renderText(n: AlertNotification, options: RenderOptions = {}): string {
  const lines = [renderTitle(n), renderSummary(n, options), ''];
  for (const fact of renderFacts(n, options)) lines.push(`${fact.label}: ${fact.value}`);
  lines.push(`Host page: ${n.hostUrl}`);
  return lines.join('\n');
}

/** Cuts text to a service's field limit, marking the cut so nobody mistakes it for the whole. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}
