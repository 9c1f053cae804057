import type { NamespaceInfo } from '@portpressure/protocol';
import type { CheckOutcome } from './format-check.ts';
import { renderChecks } from './format-prometheus.ts';

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
  return renderChecks(
    sections.map((s) => ({ labels: namespaceLabels(s.namespace), outcome: s.outcome })),
    now,
  );
}
