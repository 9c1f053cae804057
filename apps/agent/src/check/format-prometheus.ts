import { REPORT_METRICS, TUPLE_METRICS, renderFamily, type MetricFamily, type Sample } from '@portpressure/domain';
import type { PortReport } from '@portpressure/protocol';
import { EXIT_CODES } from './check-status.ts';
import type { CheckOutcome } from './format-check.ts';

const STATUS: MetricFamily = {
  name: 'portpressure_check_status',
  help: 'Verdict of the last check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (cannot measure).',
  type: 'gauge',
};
const TIMESTAMP: MetricFamily = {
  name: 'portpressure_check_timestamp_seconds',
  help: 'When the last check measured (Unix time): alert on it to catch a check that stopped running.',
  type: 'gauge',
};

type Tuple = PortReport['tuples'][number];

const REPORT_FIGURES: [MetricFamily, (report: PortReport) => number][] = [
  [REPORT_METRICS.pressure, (r) => r.pressure],
  [REPORT_METRICS.usable, (r) => r.usable],
  [REPORT_METRICS.capacity, (r) => r.capacity],
  [REPORT_METRICS.tuples, (r) => r.tupleCount],
  [REPORT_METRICS.udpUsed, (r) => r.udp.used],
];
const TUPLE_FIGURES: [MetricFamily, (tuple: Tuple) => number][] = [
  [TUPLE_METRICS.used, (t) => t.used],
  [TUPLE_METRICS.timeWait, (t) => t.timeWait],
  [TUPLE_METRICS.reclaimable, (t) => t.reclaimable],
  [TUPLE_METRICS.pressure, (t) => t.pressure],
];

/** One measured check and the labels of its series (none for a single check). */
export interface LabelledCheck {
  labels: Record<string, string>;
  outcome: CheckOutcome;
}

/**
 * Checks in the Prometheus text format: each family once, as the format requires, with one series
 * per check and, for the per-tuple families, per tuple of each check.
 */
export function renderChecks(checks: readonly LabelledCheck[], now: number): string {
  const tupleLabels = (t: Tuple) => ({
    protocol: t.protocol,
    local_address: t.localAddress,
    remote_address: t.remoteAddress,
    remote_port: String(t.remotePort),
  });
  return [
    renderFamily(
      STATUS,
      checks.map((c) => ({ labels: c.labels, value: c.outcome.exitCode })),
    ),
    renderFamily(TIMESTAMP, [{ labels: {}, value: Math.floor(now / 1000) }]),
    ...REPORT_FIGURES.map(([family, pick]) =>
      renderFamily(
        family,
        checks.map((c) => ({ labels: c.labels, value: pick(c.outcome.report) })),
      ),
    ),
    ...TUPLE_FIGURES.map(([family, pick]) =>
      renderFamily(
        family,
        checks.flatMap((c): Sample[] =>
          c.outcome.report.tuples.map((t) => ({ labels: { ...c.labels, ...tupleLabels(t) }, value: pick(t) })),
        ),
      ),
    ),
  ].join('');
}

/**
 * The check in the Prometheus text format, for node_exporter's textfile collector: the same
 * per-tuple families as the API's /metrics (without host labels: node_exporter adds the instance).
 */
export function checkPrometheus(outcome: CheckOutcome, now = Date.now()): string {
  return renderChecks([{ labels: {}, outcome }], now);
}

/** A check that could not measure: only its status, so an alert on `== 3` sees it. */
export function failedCheckPrometheus(now = Date.now()): string {
  return (
    renderFamily(STATUS, [{ labels: {}, value: EXIT_CODES.UNKNOWN }]) +
    renderFamily(TIMESTAMP, [{ labels: {}, value: Math.floor(now / 1000) }])
  );
}
