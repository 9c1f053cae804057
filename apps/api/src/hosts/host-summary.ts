import { hostSummarySchema, labelsSchema, type FleetHost, type HostSummary, type HostTrend, type PortReport } from '@portpressure/protocol';
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

/** A host is offline once it has missed three reporting intervals. */
export const OFFLINE_AFTER_INTERVALS = 3;

export function toHostSummary(row: HostRow, now: Date, intervalSeconds: number): HostSummary {
  const summary = (row.summary ?? EMPTY) as StoredSummary;
  const labels = labelsSchema.safeParse(row.labels);
  const offline =
    row.lastSeenAt === null || now.getTime() - row.lastSeenAt.getTime() > OFFLINE_AFTER_INTERVALS * intervalSeconds * 1000;
  return hostSummarySchema.parse({
    id: row.id,
    machineId: row.machineId,
    hostname: row.hostname,
    labels: labels.success ? labels.data : {},
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    offline,
    pressure: row.pressure,
    ...EMPTY,
    ...summary,
    droppedSnapshots: row.droppedSnapshots,
    credentialActive: row.credentialActive,
  });
}

/** A ranking row: the summary plus the trend kept on the host's row (written by history/host-trends). */
export function toFleetHost(row: HostRow, now: Date, intervalSeconds: number): FleetHost {
  return { ...toHostSummary(row, now, intervalSeconds), trend: (row.trend ?? null) as HostTrend | null };
}
