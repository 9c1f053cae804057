import { durationText } from '@portpressure/domain';
import { PRESSURE_CRITICAL, PRESSURE_WARNING, type TupleKey, type TupleUsage } from '@portpressure/protocol';

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : integer.format(n);
}

export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return '—';
  // 99.6 % must not read as "100 %": that is reserved for a tuple that is really full
  return `${(ratio * 100).toFixed(ratio >= 0.995 && ratio < 1 ? 1 : 0)} %`;
}

export type PressureLevel = 'none' | 'ok' | 'warning' | 'critical';

/** Colour band of a pressure value: warning from 2/3, critical from 90 % (the advice thresholds). */
export function pressureLevel(ratio: number | null | undefined): PressureLevel {
  if (ratio === null || ratio === undefined) return 'none';
  if (ratio >= PRESSURE_CRITICAL) return 'critical';
  if (ratio >= PRESSURE_WARNING) return 'warning';
  return 'ok';
}

function bracket(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** "10.0.0.5:5432 from 10.0.0.1": where the ports go, then where they come from. */
export function tupleLabel(t: Pick<TupleKey, 'localAddress' | 'remoteAddress' | 'remotePort'> | null | undefined): string {
  return t ? `${bracket(t.remoteAddress)}:${t.remotePort} from ${t.localAddress}` : '—';
}

/** Share of a tuple's used ports sitting in TIME_WAIT, or null without sockets. */
export function timeWaitShare(t: Pick<TupleUsage, 'used' | 'timeWait'> | null | undefined): number | null {
  return t && t.used > 0 ? t.timeWait / t.used : null;
}

/** "45 s", "12 min", "3 h 10 min", "4 d 2 h": shared with the API's rule conditions. */
export const duration = durationText;

export function ago(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const ms = now - Date.parse(iso);
  return ms < 1000 ? 'just now' : `${duration(ms)} ago`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Local date and time (the viewer's time zone). */
export const formatDateTime = (ms: number): string => dateTimeFormat.format(ms);
/** The viewer's time zone name, shown beside charts. */
export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
