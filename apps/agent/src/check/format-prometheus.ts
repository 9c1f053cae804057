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

function tupleSamples(report: PortReport, pick: (t: PortReport['tuples'][number]) => number): Sample[] {
  return report.tuples.map((t) => ({
    labels: { protocol: t.protocol, local_address: t.localAddress, remote_address: t.remoteAddress, remote_port: String(t.remotePort) },
    value: pick(t),
  }));
}

/**
 * The check in the Prometheus text format, for node_exporter's textfile collector: the same
 * per-tuple families as the API's /metrics (without host labels: node_exporter adds the instance).
 */
export function checkPrometheus(outcome: CheckOutcome, now = Date.now()): string {
  const { report } = outcome;
  return [
    renderFamily(STATUS, [{ labels: {}, value: outcome.exitCode }]),
    renderFamily(TIMESTAMP, [{ labels: {}, value: Math.floor(now / 1000) }]),
    renderFamily(REPORT_METRICS.pressure, [{ labels: {}, value: report.pressure }]),
    renderFamily(REPORT_METRICS.usable, [{ labels: {}, value: report.usable }]),
    renderFamily(REPORT_METRICS.capacity, [{ labels: {}, value: report.capacity }]),
    renderFamily(REPORT_METRICS.tuples, [{ labels: {}, value: report.tupleCount }]),
    renderFamily(REPORT_METRICS.udpUsed, [{ labels: {}, value: report.udp.used }]),
    renderFamily(
      TUPLE_METRICS.used,
      tupleSamples(report, (t) => t.used),
    ),
    renderFamily(
      TUPLE_METRICS.timeWait,
      tupleSamples(report, (t) => t.timeWait),
    ),
    renderFamily(
      TUPLE_METRICS.reclaimable,
      tupleSamples(report, (t) => t.reclaimable),
    ),
    renderFamily(
      TUPLE_METRICS.pressure,
      tupleSamples(report, (t) => t.pressure),
    ),
  ].join('');
}

/** A check that could not measure: only its status, so an alert on `== 3` sees it. */
export function failedCheckPrometheus(now = Date.now()): string {
  return (
    renderFamily(STATUS, [{ labels: {}, value: EXIT_CODES.UNKNOWN }]) +
    renderFamily(TIMESTAMP, [{ labels: {}, value: Math.floor(now / 1000) }])
  );
}
