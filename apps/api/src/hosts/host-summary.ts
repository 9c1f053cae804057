import { isOffline, labelsSchema, offlineAfterSeconds, type HostSummary, type PortReport } from '@portpressure/protocol';
import type { HostRow } from './hosts.repository.ts';

/** What `hosts.summary` holds: the latest report's headline figures. */
export type StoredSummary = Pick<
  HostSummary,
  'range' | 'capacity' | 'usable' | 'bindOwned' | 'hostPortsInUse' | 'tupleCount' | 'worstTuple'
>;

export function summaryFromReport(report: PortReport): StoredSummary {
  return {
    range: report.range,
    capacity: report.capacity,
    usable: report.usable,
    bindOwned: report.bindOwned,
    hostPortsInUse: report.hostPortsInUse,
    tupleCount: report.tupleCount,
    worstTuple: report.tuples[0] ?? null,
  };
}

const EMPTY: StoredSummary = {
  range: null,
  capacity: null,
  usable: null,
  bindOwned: null,
  hostPortsInUse: null,
  tupleCount: null,
  worstTuple: null,
};

export { OFFLINE_AFTER_INTERVALS } from '@portpressure/protocol';

/**
 * Maps a host row to the protocol's HostSummary. No schema parse here: `summary` is written only
 * from a validated report (summaryFromReport), and re-validating it on every read
 * costs more than the query itself. Fields are picked one by one, so nothing else leaks out.
 */
export function toHostSummary(row: HostRow, now: Date, intervalSeconds: number): HostSummary {
  const s: StoredSummary = { ...EMPTY, ...(row.summary as Partial<StoredSummary> | null) };
  const labels = labelsSchema.safeParse(row.labels);
  const offline = isOffline(row.lastSeenAt?.getTime() ?? null, now.getTime(), offlineAfterSeconds(intervalSeconds) * 1000);
  return {
    id: row.id,
    machineId: row.machineId,
    hostname: row.hostname,
    labels: labels.success ? labels.data : {},
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    offline,
    pressure: row.pressure,
    range: s.range,
    capacity: s.capacity,
    usable: s.usable,
    bindOwned: s.bindOwned,
    hostPortsInUse: s.hostPortsInUse,
    tupleCount: s.tupleCount,
    worstTuple: s.worstTuple,
    droppedSnapshots: row.droppedSnapshots,
    credentialActive: row.credentialActive,
    agentVersion: row.agentVersion ?? null,
  };
}
