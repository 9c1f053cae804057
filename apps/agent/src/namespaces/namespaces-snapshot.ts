import { MAX_AGENT_FRAME_BYTES, MAX_NAMESPACES_PER_SNAPSHOT, NAMESPACE_TUPLES_PER_SNAPSHOT } from '@portpressure/protocol/agent-constants';
import type { NamespaceReport, PortReport, SnapshotV2 } from '@portpressure/protocol';
import type { AllNamespacesResult } from './collect-all-namespaces.ts';

/** What a version 2 snapshot carries besides its type, seq and time. */
export type NamespacesBody = Pick<SnapshotV2, 'report' | 'namespace' | 'namespaces' | 'skipped'>;

/** Room left in a frame for its envelope (type, seq, takenAt) and JSON's punctuation. */
const ENVELOPE_BYTES = 256;

function trimmed(report: PortReport, tuples: number): PortReport {
  return report.tuples.length <= tuples ? report : { ...report, tuples: report.tuples.slice(0, tuples) };
}

/**
 * The body of a version 2 snapshot from one measurement of every namespace: the agent's own report,
 * the others with at most NAMESPACE_TUPLES_PER_SNAPSHOT tuples each (halved while the frame would
 * exceed MAX_AGENT_FRAME_BYTES), and the inodes found but not measured for a reason of their own.
 * Namespaces that vanished mid-measurement are left out: the API marks them gone. If the frame is
 * still too large with no tuples listed, the least pressed namespaces move to `skipped` (kept as
 * they were, never marked gone). Null when the agent's own namespace was not measured.
 */
export function namespacesBody(all: AllNamespacesResult, maxBytes = MAX_AGENT_FRAME_BYTES): NamespacesBody | null {
  const own = all.measured.find((m) => m.namespace.host);
  if (!own) return null;
  const others = all.measured.filter((m) => !m.namespace.host).sort((a, b) => b.result.report.pressure - a.result.report.pressure);
  const skipped = all.skipped.filter((s) => !s.gone && !s.namespace.host).map((s) => s.namespace.inode);
  const size = (body: NamespacesBody) => Buffer.byteLength(JSON.stringify(body)) + ENVELOPE_BYTES;
  const build = (tuples: number, count: number): NamespacesBody => ({
    report: own.result.report,
    namespace: own.namespace,
    namespaces: others.slice(0, count).map((m): NamespaceReport => ({ namespace: m.namespace, report: trimmed(m.result.report, tuples) })),
    skipped: [...skipped, ...others.slice(count).map((m) => m.namespace.inode)].slice(0, MAX_NAMESPACES_PER_SNAPSHOT),
  });
  let tuples = NAMESPACE_TUPLES_PER_SNAPSHOT;
  let count = Math.min(others.length, MAX_NAMESPACES_PER_SNAPSHOT);
  let body = build(tuples, count);
  while (size(body) > maxBytes && tuples > 0) {
    tuples = Math.floor(tuples / 2);
    body = build(tuples, count);
  }
  while (size(body) > maxBytes && count > 0) {
    count = Math.floor(count / 2);
    body = build(0, count);
  }
  return body;
}
