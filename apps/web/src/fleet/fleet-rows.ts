import { isOffline as isHostOffline, type FleetHostRow, type FleetWorstNamespaceFigures } from '@portpressure/protocol';
import { timeWaitShare, tupleLabel } from '../format.ts';

/** Forecasts further out than this read as "not soon" rather than a date. */
export const FORECAST_HORIZON_MS = 30 * 86_400_000;

/**
 * A host with everything the table sorts or filters by, computed once per data change. Nothing
 * here depends on the clock, so the 5-second tick that ages "last seen" does not recompute 10,000
 * rows: whether a host is offline, and how long until it runs out, are worked out for the rows on
 * screen only (isOffline, exhaustsIn).
 */
export interface FleetRow {
  host: FleetHostRow;
  tuple: string;
  /** used − reclaimable of the worst tuple. */
  held: number | null;
  timeWaitShare: number | null;
  /** When the trend says the worst tuple runs out (ms since the epoch), if it is growing. */
  exhaustsAt: number | null;
  lastSeenMs: number | null;
  /** Lower-case text the filter box searches. */
  text: string;
}

export type SortKey = 'host' | 'pressure' | 'tuple' | 'held' | 'timeWait' | 'forecast' | 'trend' | 'lastSeen';
export type SortDir = 'asc' | 'desc';

export function toRow(host: FleetHostRow): FleetRow {
  const t = host.worst;
  const labels = Object.entries(host.labels).map(([k, v]) => `${k}=${v}`);
  const tuple = tupleLabel(t);
  const growing = host.trend !== null && host.trend.slopePerSecond > 0 && host.trend.exhaustsAt !== null;
  return {
    host,
    tuple,
    held: t ? t.used - t.reclaimable : host.pressure === null ? null : 0,
    timeWaitShare: timeWaitShare(t),
    exhaustsAt: growing ? Date.parse(host.trend!.exhaustsAt!) : null,
    lastSeenMs: host.lastSeenAt ? Date.parse(host.lastSeenAt) : null,
    text: [host.hostname, tuple, ...labels, host.worstNamespace?.label ?? '', host.worstNamespace?.container ?? ''].join(' ').toLowerCase(),
  };
}

/**
 * The fleet row after a live `host` frame (`next`, the host's own namespace) that names the host's
 * worst other namespace (`worstNamespace`, null: none): like `GET /api/fleet`, the row ranks by
 * whichever is under more pressure. A frame without it (a version 1 agent) keeps what the row had.
 */
export function liveRow(
  next: FleetHostRow,
  previous: FleetHostRow | undefined,
  worstNamespace: FleetWorstNamespaceFigures | null | undefined,
): FleetHostRow {
  if (worstNamespace === undefined) return withWorstNamespace(next, previous);
  if (worstNamespace === null || worstNamespace.pressure <= (next.pressure ?? -1)) return { ...next, worstNamespace: null };
  const { pressure, usable, worst, ...named } = worstNamespace;
  return { ...next, pressure, usable, worst, worstNamespace: named };
}

/**
 * A live frame without the worst namespace describes the host's own namespace only: the row keeps
 * its worst namespace's figures as long as they are worse than the host's own (the next load of
 * the fleet brings that namespace's new figures).
 */
export function withWorstNamespace(next: FleetHostRow, previous: FleetHostRow | undefined): FleetHostRow {
  const ns = previous?.worstNamespace;
  if (!ns || previous.pressure === null) return next;
  if (next.pressure !== null && next.pressure >= previous.pressure) return { ...next, worstNamespace: null };
  return { ...next, pressure: previous.pressure, usable: previous.usable, worst: previous.worst, worstNamespace: ns };
}

export function isOffline(row: FleetRow, serverNow: number, offlineAfterMs: number): boolean {
  return isHostOffline(row.lastSeenMs, serverNow, offlineAfterMs);
}

/** ms until the host runs out at its trend, null when it is not growing or not reporting. */
export function exhaustsIn(row: FleetRow, serverNow: number, offline: boolean): number | null {
  return row.exhaustsAt === null || offline ? null : Math.max(0, row.exhaustsAt - serverNow);
}

/** Filters by free text (every word must appear) and by one `key=value` label. */
export function filterRows(rows: FleetRow[], text: string, label: string): FleetRow[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const [lk, lv] = label ? [label.slice(0, label.indexOf('=')), label.slice(label.indexOf('=') + 1)] : ['', ''];
  if (words.length === 0 && !label) return rows;
  return rows.filter((r) => (!label || r.host.labels[lk] === lv) && words.every((w) => r.text.includes(w)));
}

type Value = number | string | null;
const VALUE: Record<SortKey, (r: FleetRow) => Value> = {
  host: (r) => r.host.hostname,
  pressure: (r) => r.host.pressure,
  tuple: (r) => (r.host.worst ? r.tuple : null),
  held: (r) => r.held,
  timeWait: (r) => r.timeWaitShare,
  forecast: (r) => r.exhaustsAt,
  trend: (r) => r.host.trend?.slopePerSecond ?? null,
  lastSeen: (r) => r.lastSeenMs,
};

/** The direction a column sorts in when first clicked: the "worst first" one. */
export const FIRST_DIR: Record<SortKey, SortDir> = {
  host: 'asc',
  pressure: 'desc',
  tuple: 'asc',
  held: 'desc',
  timeWait: 'desc',
  forecast: 'asc',
  trend: 'desc',
  lastSeen: 'asc',
};

/** Sorts a copy; hosts without a value go last in either direction, ties by hostname. */
export function sortRows(rows: FleetRow[], key: SortKey, dir: SortDir): FleetRow[] {
  const value = VALUE[key];
  const sign = dir === 'asc' ? 1 : -1;
  const keyed = rows.map((r) => ({ r, v: value(r) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) {
      if (a.v !== b.v) return a.v === null ? 1 : -1;
    } else if (a.v !== b.v) {
      return (typeof a.v === 'string' ? a.v.localeCompare(String(b.v)) : a.v - (b.v as number)) * sign;
    }
    return a.r.host.hostname.localeCompare(b.r.host.hostname);
  });
  return keyed.map((k) => k.r);
}

/** Every `key=value` label in the fleet, sorted, for the label filter. */
export function allLabels(hosts: Iterable<FleetHostRow>): string[] {
  const set = new Set<string>();
  for (const h of hosts) for (const [k, v] of Object.entries(h.labels)) set.add(`${k}=${v}`);
  return [...set].sort();
}
