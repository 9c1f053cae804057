import type { PortReport } from '@portpressure/protocol';
import { count, percent, tupleLabel } from '../format.ts';

export { count };

/** "10.0.0.5:5432 from 10.0.0.1 holds 40 of 100 usable ports (40 %)." */
export function describeWorst(report: PortReport): string {
  const t = report.tuples[0];
  if (!t) return 'no client-side connections in the ephemeral range.';
  return `the worst tuple, ${tupleLabel(t)}, holds ${count(t.used - t.reclaimable)} of ${count(report.usable)} usable ports (${percent(t.pressure)}).`;
}
