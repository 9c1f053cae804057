import type { PortReport } from '@portpressure/protocol';

export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** Nagios plugin exit codes. */
export const EXIT_CODES: Record<CheckStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

export interface Thresholds {
  warning: number;
  critical: number;
}

/** The pressure the status is judged on: the worst TCP tuple or the UDP pool, whichever is higher. */
export function checkedPressure(report: PortReport): number {
  return Math.max(report.pressure, report.udp.pressure);
}

export function statusOf(report: PortReport, thresholds: Thresholds): CheckStatus {
  const pressure = checkedPressure(report);
  if (pressure >= thresholds.critical) return 'CRITICAL';
  if (pressure >= thresholds.warning) return 'WARNING';
  return 'OK';
}
