import type { AlertMeasurement, KernelCounterDelta, KernelCounterName, PortReport } from '@portpressure/protocol';

/**
 * Counters whose growth means the kernel is already recycling TIME_WAIT entries or giving them up:
 * ports are running short now, not only at the forecast.
 */
const RECYCLING_COUNTERS: ReadonlySet<KernelCounterName> = new Set(['TWRecycled', 'TCPTimeWaitOverflow', 'TWKilled']);

/** The recycling counters that grew since the report's previous snapshot; empty without diagnostics. */
export function kernelEvidence(report: PortReport): KernelCounterDelta[] {
  return (report.diagnostics?.kernel ?? []).filter((k) => k.delta > 0 && RECYCLING_COUNTERS.has(k.name));
}

/** The measurement with the report's kernel evidence, when there is any. */
export function withKernelEvidence(measurement: AlertMeasurement, report: PortReport): AlertMeasurement {
  const evidence = kernelEvidence(report);
  return evidence.length === 0 ? measurement : { ...measurement, kernelEvidence: evidence };
}

/** " The kernel is already recycling (TWRecycled +12)." or nothing: appended to a summary. */
export function recyclingSentence(evidence: readonly KernelCounterDelta[] | undefined): string {
  if (evidence === undefined || evidence.length === 0) return '';
  return ` The kernel is already recycling (${evidence.map((k) => `${k.name} +${k.delta}`).join(', ')}).`;
}
