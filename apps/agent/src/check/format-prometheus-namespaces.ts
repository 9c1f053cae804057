import { REPORT_METRICS, TUPLE_METRICS, renderFamily, type MetricFamily, type Sample } from '@portpressure/domain';
import type { NamespaceInfo, PortReport } from '@portpressure/protocol';
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

/**
 * Labels naming a network namespace. `netns_inode` alone identifies it; the others are for people
 * and stay empty where unknown. `pod_namespace`, not `namespace`: Kubernetes service discovery
 * usually sets `namespace` to the node exporter's own.
 */
function namespaceLabels(ns: NamespaceInfo): Record<string, string> {
  return {
    netns_inode: String(ns.inode),
    netns_host: ns.host ? 'true' : 'false',
    netns_name: ns.name ?? '',
    pod: ns.pod?.name ?? '',
    pod_namespace: ns.pod?.namespace ?? '',
    container: ns.containers.map((c) => c.name ?? c.id.slice(0, 12)).join(','),
  };
}

/**
 * `check --all-namespaces --format prometheus`: the families of `check --format prometheus`, one
 * series per namespace (and per tuple within it), each family rendered once as the text format
 * requires. node_exporter adds the instance.
 */
export function checkPrometheusAllNamespaces(
  sections: readonly { namespace: NamespaceInfo; outcome: CheckOutcome }[],
  now = Date.now(),
): string {
  const per = (pick: (report: PortReport, outcome: CheckOutcome) => number): Sample[] =>
    sections.map((s) => ({ labels: namespaceLabels(s.namespace), value: pick(s.outcome.report, s.outcome) }));
  const tuples = (pick: (t: PortReport['tuples'][number]) => number): Sample[] =>
    sections.flatMap((s) =>
      s.outcome.report.tuples.map((t) => ({
        labels: {
          ...namespaceLabels(s.namespace),
          protocol: t.protocol,
          local_address: t.localAddress,
          remote_address: t.remoteAddress,
          remote_port: String(t.remotePort),
        },
        value: pick(t),
      })),
    );
  return [
    renderFamily(
      STATUS,
      per((_, o) => o.exitCode),
    ),
    renderFamily(TIMESTAMP, [{ labels: {}, value: Math.floor(now / 1000) }]),
    renderFamily(
      REPORT_METRICS.pressure,
      per((r) => r.pressure),
    ),
    renderFamily(
      REPORT_METRICS.usable,
      per((r) => r.usable),
    ),
    renderFamily(
      REPORT_METRICS.capacity,
      per((r) => r.capacity),
    ),
    renderFamily(
      REPORT_METRICS.tuples,
      per((r) => r.tupleCount),
    ),
    renderFamily(
      REPORT_METRICS.udpUsed,
      per((r) => r.udp.used),
    ),
    renderFamily(
      TUPLE_METRICS.used,
      tuples((t) => t.used),
    ),
    renderFamily(
      TUPLE_METRICS.timeWait,
      tuples((t) => t.timeWait),
    ),
    renderFamily(
      TUPLE_METRICS.reclaimable,
      tuples((t) => t.reclaimable),
    ),
    renderFamily(
      TUPLE_METRICS.pressure,
      tuples((t) => t.pressure),
    ),
  ].join('');
}
