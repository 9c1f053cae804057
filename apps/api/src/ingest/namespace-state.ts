import {
  namespaceLabel,
  toFleetTuple,
  type FleetTuple,
  type NamespaceInfo,
  type PortReport,
  type Snapshot,
  type SnapshotV2,
} from '@portpressure/protocol';

/** What `host_namespaces.summary` holds: the latest report's figures besides its pressure. */
export interface NamespaceSummary {
  usable: number;
  tupleCount: number;
  hostPortsInUse: number;
  worst: FleetTuple | null;
}

/** One row of host_namespaces, as ingest writes it and keeps it in memory. */
export interface NamespaceRow {
  host_id: string;
  ns_no: number;
  inode: number;
  first_seen_at: string;
  last_seen_at: string;
  gone_at: string | null;
  name: string | null;
  pod: NamespaceInfo['pod'];
  containers: NamespaceInfo['containers'];
  label: string;
  pressure: number;
  latest_seq: number;
  summary: NamespaceSummary;
}

/** One report of one namespace to insert into namespace_snapshots (its report encoded by the caller). */
export interface NamespaceSample {
  hostId: string;
  seq: number;
  nsNo: number;
  takenAt: string;
  report: PortReport;
}

/** hosts.worst_namespace: protocol FleetWorstNamespace plus the figures the fleet row shows. */
export interface WorstNamespace {
  id: string;
  inode: number;
  label: string;
  pod: NamespaceInfo['pod'];
  container: string | null;
  pressure: number;
  usable: number;
  worst: FleetTuple | null;
}

export function isSnapshotV2(snapshot: Snapshot): snapshot is SnapshotV2 {
  return 'namespaces' in snapshot;
}

/** The other namespaces' reports of a snapshot (none in a version 1 snapshot). */
export function namespaceReports(snapshot: Snapshot): SnapshotV2['namespaces'] {
  return isSnapshotV2(snapshot) ? snapshot.namespaces : [];
}

function fleetTuple(report: PortReport): FleetTuple | null {
  const t = report.tuples[0];
  return t ? toFleetTuple(t) : null;
}

/**
 * The namespaces of one host that exist now (not gone), as this API instance last wrote them, and
 * the numbers it gave out. Ingest applies each new version 2 snapshot to it in seq order and
 * writes what changed with the snapshot's batch; when a batch fails the state is dropped and
 * read again, so it never runs ahead of the database.
 */
export class HostNamespaceState {
  constructor(
    /** Highest seq applied: a resend (seq at or below it) changes no namespace. */
    public lastSeq: number,
    /** Highest ns_no given out on this host, gone namespaces included. */
    public maxNo: number,
    /** By inode. */
    readonly current: Map<number, NamespaceRow>,
  ) {}

  /**
   * Applies a version 2 snapshot: a namespace measured is created (new inode) or refreshed; one
   * neither measured nor skipped is gone (as of the snapshot's takenAt) and leaves the state.
   * Returns the rows to upsert (keyed by ns_no, so a later snapshot of the batch overwrites an
   * earlier one's) and the samples to store, or null for a resend.
   */
  apply(hostId: string, snapshot: SnapshotV2, rows: Map<number, NamespaceRow>): NamespaceSample[] | null {
    if (snapshot.seq <= this.lastSeq) return null;
    this.lastSeq = snapshot.seq;
    const takenAt = snapshot.takenAt;
    const samples: NamespaceSample[] = [];
    const present = new Set<number>(snapshot.skipped);
    for (const { namespace, report } of snapshot.namespaces) {
      present.add(namespace.inode);
      const known = this.current.get(namespace.inode);
      const row: NamespaceRow = {
        host_id: hostId,
        ns_no: known?.ns_no ?? ++this.maxNo,
        inode: namespace.inode,
        first_seen_at: known?.first_seen_at ?? takenAt,
        last_seen_at: takenAt,
        gone_at: null,
        name: namespace.name,
        pod: namespace.pod,
        containers: namespace.containers,
        label: namespaceLabel(namespace),
        pressure: report.pressure,
        latest_seq: snapshot.seq,
        summary: { usable: report.usable, tupleCount: report.tupleCount, hostPortsInUse: report.hostPortsInUse, worst: fleetTuple(report) },
      };
      this.current.set(namespace.inode, row);
      rows.set(row.ns_no, row);
      samples.push({ hostId, seq: snapshot.seq, nsNo: row.ns_no, takenAt, report });
    }
    for (const [inode, row] of this.current) {
      if (present.has(inode)) continue;
      this.current.delete(inode);
      rows.set(row.ns_no, { ...row, gone_at: takenAt });
    }
    return samples;
  }

  /** The current namespace with the highest pressure (the lowest ns_no among equals), or null. */
  worst(): WorstNamespace | null {
    let worst: NamespaceRow | undefined;
    for (const row of this.current.values()) {
      if (!worst || row.pressure > worst.pressure || (row.pressure === worst.pressure && row.ns_no < worst.ns_no)) worst = row;
    }
    if (!worst) return null;
    return {
      id: String(worst.ns_no),
      inode: worst.inode,
      label: worst.label,
      pod: worst.pod,
      container: (worst.containers.find((c) => c.name) ?? null)?.name ?? null,
      pressure: worst.pressure,
      usable: worst.summary.usable,
      worst: worst.summary.worst,
    };
  }
}
