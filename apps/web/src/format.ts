import type { HostSummary } from '@portpressure/protocol';

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(ratio >= 0.995 && ratio < 1 ? 1 : 0)}%`;
}

/** Color band of a pressure value, with the product's default thresholds (warning 2/3, critical 90%). */
export function pressureLevel(ratio: number | null): 'none' | 'ok' | 'warning' | 'critical' {
  if (ratio === null) return 'none';
  if (ratio >= 0.9) return 'critical';
  if (ratio >= 2 / 3) return 'warning';
  return 'ok';
}

export function tupleLabel(host: HostSummary): string {
  const t = host.worstTuple;
  if (!t) return '—';
  const remote = t.remoteAddress.includes(':') ? `[${t.remoteAddress}]` : t.remoteAddress;
  return `${remote}:${t.remotePort} from ${t.localAddress}`;
}

export function ago(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}
