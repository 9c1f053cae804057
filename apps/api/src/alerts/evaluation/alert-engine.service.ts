import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ForecastPoint } from '@portpressure/domain';
import { namespaceLabel, type AlertRule, type AlertTuple, type Snapshot } from '@portpressure/protocol';
import { namespaceReports } from '../../ingest/namespace-state.ts';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import { SnapshotEvents, type StoredSnapshot } from '../../ingest/snapshot-events.ts';
import { DeliveryWorker } from '../delivery/delivery-worker.service.ts';
import { ActiveRulesService } from '../rules/active-rules.service.ts';
import type { IncidentRow } from './alert-tx.repository.ts';
import { planBatch, type LockedEvaluation } from './batch-plan.ts';
import { EvaluationRepository } from './evaluation.repository.ts';
import { IncidentTransitions, emptySummary, type TransitionSummary } from './incident-transitions.ts';
import { ruleKindRegistry, type TrendNeed } from '../rules/kinds/index.ts';
import { decide, groupKeyFor, tupleKey, tupleOf, type OpenIncidentRef } from './rule-evaluation.ts';
/**
 * Hosts of one batch evaluated in their locked transactions at once: enough to overlap round
 * trips, few enough to leave the database pool to everyone else when a whole fleet is near a
 * threshold.
 */
const LOCKED_CONCURRENCY = 8;

export function pendingOf(rule: AlertRule, pending: ReadonlyMap<string, { ruleId: string; breaches: number }>): Map<string, number> {
  return new Map([...pending].filter(([, s]) => s.ruleId === rule.id).map(([k, s]) => [k, s.breaches]));
}

export function openOf(rule: AlertRule, open: readonly IncidentRow[]): Map<string, OpenIncidentRef> {
  return new Map(open.filter((i) => i.ruleId === rule.id).map((i) => [i.groupKey, { id: i.id, groupKey: i.groupKey }]));
}

function add(into: TransitionSummary, more: TransitionSummary): void {
  into.fired += more.fired;
  into.resolved += more.resolved;
  into.queued += more.queued;
}

/**
 * Evaluates the rules on ingest: every committed batch of snapshots runs its hosts' rules (no
 * polling delay). A batch costs one query for its hosts and one statement recording the progress
 * of every host where nothing is near a threshold; only hosts where something could breach, or
 * that have a pending count or firing incident, get a transaction under the host's advisory lock
 * (so API instances never race on one host), one snapshot after the other.
 */
@Injectable()
export class AlertEngine implements OnModuleInit {
  constructor(
    private readonly repo: EvaluationRepository,
    private readonly rules: ActiveRulesService,
    private readonly events: SnapshotEvents,
    private readonly worker: DeliveryWorker,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onModuleInit(): void {
    this.events.onStoredBatch('alerts', async (batch) => {
      await this.evaluateBatch(batch);
    });
  }

  /** Enabled rules that still validate, read now (a broken row is reported once and skipped). */
  activeRules(): Promise<AlertRule[]> {
    return this.rules.fresh();
  }

  /** Evaluates one snapshot as if it had been committed alone. */
  evaluateSnapshot(hostId: string, snapshot: Snapshot): Promise<TransitionSummary> {
    return this.evaluateBatch([{ hostId, snapshot }]);
  }

  /**
   * Evaluates committed snapshots; each host's in the order given (commit order). A host whose
   * evaluation fails does not stop the others; the failures are thrown together at the end.
   */
  async evaluateBatch(batch: readonly StoredSnapshot[]): Promise<TransitionSummary> {
    const summary = emptySummary();
    if (batch.length === 0) return summary;
    const rules = await this.rules.current();
    const hosts = await this.repo.hostsForBatch([...new Set(batch.map((s) => s.hostId))]);
    const plan = planBatch(batch, hosts, rules);
    const failures: string[] = [];
    const locked = [...plan.locked];
    const worker = async (): Promise<void> => {
      for (let next = locked.shift(); next !== undefined; next = locked.shift()) {
        try {
          for (const snapshot of next.snapshots) add(summary, await this.evaluateLocked(next, snapshot));
        } catch (error) {
          failures.push(`host ${next.host.id}: ${describe(error)}`);
        }
      }
    };
    const quiet = this.repo.recordQuietEvaluations(plan.quiet).catch((error: unknown) => {
      failures.push(`recording ${plan.quiet.length} quiet evaluation(s): ${describe(error)}`);
    });
    await Promise.all([quiet, ...Array.from({ length: Math.min(LOCKED_CONCURRENCY, locked.length) }, worker)]);
    if (summary.queued > 0) this.worker.wake();
    if (failures.length > 0) throw new Error(`alert evaluation failed: ${failures.join('; ')}`);
    return summary;
  }

  private async evaluateLocked({ host, labels, rules }: LockedEvaluation, snapshot: Snapshot): Promise<TransitionSummary> {
    const hostId = host.id;
    const takenAt = new Date(snapshot.takenAt);
    const applicable = new Set(rules.map((r) => r.id));
    const now = new Date();
    return this.repo.inHostTransaction(hostId, async (tx) => {
      if (!(await tx.advanceEvaluation(hostId, snapshot.seq, takenAt))) return emptySummary();
      const pending = await tx.pendingStates(hostId);
      const open = await tx.openIncidents(hostId);
      const transitions = new IncidentTransitions(tx, this.config.alerts.publicUrl);
      const target = { id: hostId, hostname: host.hostname, labels };
      const series = await this.trendSeries(hostId, rules, snapshot, pending, open);
      const takenAtMs = takenAt.getTime();
      const others = namespaceReports(snapshot);
      for (const rule of rules) {
        // fleet-wide kinds are the timer's: no observation here must resolve what it fired
        if (ruleKindRegistry.isFleetWide(rule.kind)) continue;
        const kind = ruleKindRegistry.get(rule.kind);
        const context = {
          ruleId: rule.id,
          hostId,
          report: snapshot.report,
          takenAtMs,
          now,
          series: (seconds: number) => trailing(series, takenAtMs - seconds * 1000),
        };
        const observations = kind.onSnapshot(rule.params, context);
        // Each other namespace (a pod, a container) is observed on its own, under its own group keys.
        if (kind.namespaces) {
          for (const n of others) {
            const namespace = { inode: n.namespace.inode, label: namespaceLabel(n.namespace) };
            observations.push(...kind.onSnapshot(rule.params, { ...context, report: n.report, namespace, series: () => new Map() }));
          }
        }
        const decisions = decide(observations, ruleKindRegistry.sustainOf(rule), pendingOf(rule, pending), openOf(rule, open));
        await transitions.apply(rule, target, decisions, now);
      }
      // A rule disabled, deleted, or re-scoped away from this host no longer holds here.
      for (const incident of open) {
        if (incident.ruleId === null || !applicable.has(incident.ruleId)) await transitions.resolve(incident.id, {}, now);
      }
      await tx.clearPending([...pending].filter(([, s]) => !applicable.has(s.ruleId)).map(([key]) => key));
      return transitions.summary;
    });
  }

  /**
   * The trailing `used − reclaimable` of the tuples some rule's kind asks a trend for (a forecast
   * rule: the worst tuples and any already pending or firing; a pressure rule: the tuples in its
   * hysteresis band, whose messages say when they run out), over the longest window asked.
   * Usually few or none, so most snapshots cost no query here.
   */
  private async trendSeries(
    hostId: string,
    rules: readonly AlertRule[],
    snapshot: Snapshot,
    pending: ReadonlyMap<string, unknown>,
    open: readonly IncidentRow[],
  ): Promise<Map<string, ForecastPoint[]>> {
    const needs: Array<{ ruleId: string; need: TrendNeed }> = [];
    for (const rule of rules) {
      const need = ruleKindRegistry.get(rule.kind).trend?.(rule.params);
      if (need !== undefined) needs.push({ ruleId: rule.id, need });
    }
    if (needs.length === 0) return new Map();
    const watched = new Set(open.map((i) => i.groupKey));
    for (const key of pending.keys()) watched.add(key);
    const tuples = new Map<string, AlertTuple>();
    snapshot.report.tuples.forEach((t, index) => {
      const tuple = tupleOf(t);
      if (needs.some(({ ruleId, need }) => need.wants(t, index, watched.has(groupKeyFor(ruleId, hostId, tuple))))) {
        tuples.set(tupleKey(tuple), tuple);
      }
    });
    if (tuples.size === 0) return new Map();
    const longest = Math.max(...needs.map(({ need }) => need.seconds));
    const since = new Date(Date.parse(snapshot.takenAt) - longest * 1000);
    return this.repo.tupleSeries(hostId, since, [...tuples.values()]);
  }

  /**
   * Resolves every firing incident of a rule (disabled, deleted, or changed kind), notifying the
   * channels that heard it fire. Call after the rule stopped being enabled, so no evaluation
   * fires it again meanwhile.
   */
  async resolveRuleIncidents(ruleId: string): Promise<number> {
    const now = new Date();
    let resolved = 0;
    let queued = 0;
    for (const hostId of await this.repo.hostsWithOpenIncidents(ruleId)) {
      const summary = await this.repo.inHostTransaction(hostId, async (tx) => {
        const transitions = new IncidentTransitions(tx, this.config.alerts.publicUrl);
        for (const incident of await tx.openIncidents(hostId)) {
          if (incident.ruleId === ruleId) await transitions.resolve(incident.id, {}, now);
        }
        return transitions.summary;
      });
      resolved += summary.resolved;
      queued += summary.queued;
    }
    if (queued > 0) this.worker.wake();
    return resolved;
  }
}

/** Each series cut to the points at or after `sinceMs`. */
function trailing(series: ReadonlyMap<string, ForecastPoint[]>, sinceMs: number): Map<string, ForecastPoint[]> {
  return new Map([...series].map(([key, points]) => [key, points.filter((p) => p.t >= sinceMs)]));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
