import { labelsSchema, type AlertRule, type Labels, type Snapshot } from '@portpressure/protocol';
import { ruleKindRegistry } from '../rules/kinds/index.ts';
import { ruleApplies } from './rule-evaluation.ts';
import { namespaceReports } from '../../ingest/namespace-state.ts';

/** What evaluating a batch needs to know about one host, read for the whole batch at once. */
export interface BatchHost {
  id: string;
  hostname: string;
  labels: unknown;
  latestTakenAt: Date | null;
  /** A pending count or a firing incident exists: every snapshot of the host matters. */
  busy: boolean;
}

/** A snapshot that changes nothing: only the host's evaluation progress is recorded. */
export interface QuietEvaluation {
  hostId: string;
  seq: number;
  takenAt: Date;
}

/** A host whose snapshots need the locked evaluation, in commit order. */
export interface LockedEvaluation {
  host: BatchHost;
  labels: Labels;
  /** The enabled rules that apply to this host. */
  rules: AlertRule[];
  snapshots: Snapshot[];
}

export interface BatchPlan {
  /** At most one per host: its newest quiet snapshot. */
  quiet: QuietEvaluation[];
  locked: LockedEvaluation[];
}

export function parseLabels(value: unknown): Labels {
  const parsed = labelsSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/**
 * Decides, for a batch of committed snapshots, which evaluations matter and how. Evaluated one
 * by one, a snapshot taken before the host's latest stored one would change nothing (a spooled
 * snapshot must not overrule a newer one), and neither would one taken no later than a snapshot
 * evaluated before it; they are dropped here instead of costing a query each. A host whose
 * remaining snapshots cannot breach any of its rules, and which has no pending count or firing
 * incident, only records its progress; any other host goes through the locked evaluation with
 * all its remaining snapshots, in order.
 *
 * `stored` holds each host's snapshots in commit order; hosts missing from `hosts` were deleted.
 */
export function planBatch(
  stored: readonly { hostId: string; snapshot: Snapshot }[],
  hosts: ReadonlyMap<string, BatchHost>,
  rules: readonly AlertRule[],
): BatchPlan {
  const byHost = new Map<string, Snapshot[]>();
  for (const { hostId, snapshot } of stored) {
    const list = byHost.get(hostId);
    if (list === undefined) byHost.set(hostId, [snapshot]);
    else list.push(snapshot);
  }
  const plan: BatchPlan = { quiet: [], locked: [] };
  for (const [hostId, snapshots] of byHost) {
    const host = hosts.get(hostId);
    if (host === undefined) continue;
    const latest = host.latestTakenAt?.getTime() ?? -Infinity;
    let mark = -Infinity;
    const candidates: Snapshot[] = [];
    for (const snapshot of snapshots) {
      const takenAt = Date.parse(snapshot.takenAt);
      if (takenAt < latest || takenAt <= mark) continue;
      mark = takenAt;
      candidates.push(snapshot);
    }
    const last = candidates.at(-1);
    if (last === undefined) continue;
    const labels = parseLabels(host.labels);
    const applicable = rules.filter((r) => ruleApplies(r, { id: hostId, labels }));
    const namespaced = applicable.filter((r) => ruleKindRegistry.get(r.kind).namespaces === true);
    const quiet = (s: Snapshot) =>
      !ruleKindRegistry.couldBreach(applicable, s.report) &&
      (namespaced.length === 0 || namespaceReports(s).every((n) => !ruleKindRegistry.couldBreach(namespaced, n.report)));
    if (!host.busy && candidates.every(quiet)) {
      plan.quiet.push({ hostId, seq: last.seq, takenAt: new Date(last.takenAt) });
    } else {
      plan.locked.push({ host, labels, rules: applicable, snapshots: candidates });
    }
  }
  return plan;
}
