import { TCP_STATES, type Snapshot, type StateCounts, type TcpState } from '@portpressure/protocol';

/**
 * Tuples of each snapshot kept in the per-minute tuple rollup: the worst ones. A tuple outside a
 * snapshot's worst 10 cannot be among the top tuples a history shows (it draws the worst 5).
 */
export const ROLLUP_TUPLES_PER_SNAPSHOT = 10;
const MINUTE = 60_000;

/** One host's maxima over one minute (host_minutes). */
export interface HostMinuteRow {
  hostId: string;
  /** Start of the minute, ms since the epoch. */
  minute: number;
  pressure: number;
  /** The worst tuple's used − reclaimable. */
  held: number;
  /** Lowest usable of the minute. */
  usable: number;
  hostPortsInUse: number;
  /** Highest per-snapshot sum over the listed tuples. */
  timeWait: number;
  reclaimable: number;
  states: StateCounts;
  snapshots: number;
}

/** One tuple's maxima over one minute (tuple_minutes). */
export interface TupleMinuteRow {
  hostId: string;
  minute: number;
  protocol: 'tcp';
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
  pressure: number;
  held: number;
}

function maxStates(a: StateCounts, b: StateCounts): StateCounts {
  const out: StateCounts = { ...a };
  for (const s of TCP_STATES) {
    const v = b[s];
    if (v !== undefined) out[s] = Math.max(out[s] ?? 0, v);
  }
  return out;
}

/**
 * Folds stored snapshots into minute rows, merging those of one minute (the database merges again
 * with rows already stored, the same way: maxima, lowest usable, summed snapshot count).
 */
export class MinuteRollupBatch {
  private readonly hosts = new Map<string, HostMinuteRow>();
  private readonly tuples = new Map<string, TupleMinuteRow>();
  /** Tuple rows held per host-minute (`${hostId} ${minute}`). */
  private readonly tuplesPerMinute = new Map<string, number>();

  add(hostId: string, snapshot: Snapshot): void {
    this.addHost(hostId, snapshot);
    this.addTuples(hostId, snapshot);
  }

  /** Folds the snapshot into its host's minute row. */
  addHost(hostId: string, snapshot: Snapshot): void {
    const r = snapshot.report;
    const minute = Math.floor(Date.parse(snapshot.takenAt) / MINUTE) * MINUTE;
    let timeWait = 0;
    let reclaimable = 0;
    const states: Partial<Record<TcpState, number>> = {};
    for (const t of r.tuples) {
      timeWait += t.timeWait;
      reclaimable += t.reclaimable;
      // the states a tuple has (two or three, validated by the protocol), not all eleven
      for (const s in t.states) {
        const n = t.states[s as TcpState];
        if (n) states[s as TcpState] = (states[s as TcpState] ?? 0) + n;
      }
    }
    const worst = r.tuples[0];
    const row: HostMinuteRow = {
      hostId,
      minute,
      pressure: r.pressure,
      held: worst ? worst.used - worst.reclaimable : 0,
      usable: r.usable,
      hostPortsInUse: r.hostPortsInUse,
      timeWait,
      reclaimable,
      states,
      snapshots: 1,
    };
    this.addHostRow(row);
  }

  /** Folds a host row in: maxima, lowest usable, snapshot counts added. */
  addHostRow(row: HostMinuteRow): void {
    const key = `${row.hostId} ${row.minute}`;
    const previous = this.hosts.get(key);
    this.hosts.set(
      key,
      previous
        ? {
            ...row,
            pressure: Math.max(previous.pressure, row.pressure),
            held: Math.max(previous.held, row.held),
            usable: Math.min(previous.usable, row.usable),
            hostPortsInUse: Math.max(previous.hostPortsInUse, row.hostPortsInUse),
            timeWait: Math.max(previous.timeWait, row.timeWait),
            reclaimable: Math.max(previous.reclaimable, row.reclaimable),
            states: maxStates(previous.states, row.states),
            snapshots: previous.snapshots + row.snapshots,
          }
        : row,
    );
  }

  /**
   * Moves into `into` the host rows of minutes over by `endedBy` whose tuple rows `tuples` still
   * holds, so that such a minute's host row is stored with its last tuple rows or after them, never
   * before. A replayed minute's tuple rows can take several flushes (a flush writes a limited number);
   * had its snapshot count been stored first, an hour rollup between those flushes would count
   * snapshots whose tuple rows it did not see, and history trusts an hour row whose count matches
   * its minutes' (history.repository.ts).
   */
  holdBackHostRows(tuples: MinuteRollupBatch, endedBy: number, into: MinuteRollupBatch): void {
    for (const [key, row] of this.hosts) {
      if (row.minute + MINUTE <= endedBy && tuples.tuplesPerMinute.has(key)) {
        this.hosts.delete(key);
        into.addHostRow(row);
      }
    }
  }

  /** Folds the snapshot's worst tuples into their minute rows. */
  addTuples(hostId: string, snapshot: Snapshot): void {
    const r = snapshot.report;
    const minute = Math.floor(Date.parse(snapshot.takenAt) / MINUTE) * MINUTE;
    const key = `${hostId} ${minute}`;
    // the agent lists tuples worst first
    const n = Math.min(r.tuples.length, ROLLUP_TUPLES_PER_SNAPSHOT);
    for (let i = 0; i < n; i++) {
      const t = r.tuples[i]!;
      const tk = `${key} ${t.protocol} ${t.localAddress} ${t.remoteAddress} ${t.remotePort}`;
      const held = t.used - t.reclaimable;
      const p = this.tuples.get(tk);
      if (p) {
        p.pressure = Math.max(p.pressure, t.pressure);
        p.held = Math.max(p.held, held);
      } else {
        this.tuplesPerMinute.set(key, (this.tuplesPerMinute.get(key) ?? 0) + 1);
        this.tuples.set(tk, {
          hostId,
          minute,
          protocol: t.protocol,
          localAddress: t.localAddress,
          remoteAddress: t.remoteAddress,
          remotePort: t.remotePort,
          pressure: t.pressure,
          held,
        });
      }
    }
  }

  get size(): number {
    return this.hosts.size;
  }

  /** Rows in key order, so concurrent writers lock them in the same order (no deadlocks). */
  hostRows(): HostMinuteRow[] {
    return [...this.hosts.values()].sort((a, b) => a.hostId.localeCompare(b.hostId) || a.minute - b.minute);
  }

  /** Tuple rows kept. */
  get tupleCount(): number {
    return this.tuples.size;
  }

  /**
   * Removes and returns (in key order) up to `limit` tuple rows of minutes that ended at or before
   * `endedBy` (ms).
   */
  takeTupleRows(endedBy: number, limit = Infinity): TupleMinuteRow[] {
    const taken: [string, TupleMinuteRow][] = [];
    for (const entry of this.tuples) {
      if (taken.length >= limit) break;
      if (entry[1].minute + MINUTE <= endedBy) {
        taken.push(entry);
        this.tuples.delete(entry[0]);
        const minuteKey = `${entry[1].hostId} ${entry[1].minute}`;
        const left = (this.tuplesPerMinute.get(minuteKey) ?? 0) - 1;
        if (left > 0) this.tuplesPerMinute.set(minuteKey, left);
        else this.tuplesPerMinute.delete(minuteKey);
      }
    }
    return taken.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, row]) => row);
  }

  tupleRows(): TupleMinuteRow[] {
    // the map's keys start with host id and minute; minutes of one batch have the same digit count
    return [...this.tuples.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, row]) => row);
  }
}
