import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ForecastPoint } from '@portpressure/domain';
import { labelsSchema, type AlertRule, type AlertTuple, type Labels, type Snapshot } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import { SnapshotEvents } from '../../ingest/snapshot-events.ts';
import { DeliveryWorker } from '../delivery/delivery-worker.service.ts';
import { parseRuleRow } from '../rules/rule-view.ts';
import { RulesRepository } from '../rules/rules.repository.ts';
import type { IncidentRow } from './alert-tx.repository.ts';
import { EvaluationRepository } from './evaluation.repository.ts';
import { IncidentTransitions, emptySummary, type TransitionSummary } from './incident-transitions.ts';
import {
  couldBreach,
  decide,
  groupKeyFor,
  observeForecast,
  observeOffline,
  observePressure,
  ruleApplies,
  sustainOf,
  tupleKey,
  tupleOf,
  type Observation,
  type OpenIncidentRef,
} from './rule-evaluation.ts';

/** Tuples per snapshot that get a forecast: the worst ones, plus any already pending or firing. */
const FORECAST_TOP_TUPLES = 50;
/** History behind the "runs out in …" of pressure messages (a forecast rule uses its own window). */
const PRESSURE_TREND_SECONDS = 600;

export function parseLabels(value: unknown): Labels {
  const parsed = labelsSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

export function pendingOf(rule: AlertRule, pending: ReadonlyMap<string, { ruleId: string; breaches: number }>): Map<string, number> {
  return new Map([...pending].filter(([, s]) => s.ruleId === rule.id).map(([k, s]) => [k, s.breaches]));
}

export function openOf(rule: AlertRule, open: readonly IncidentRow[]): Map<string, OpenIncidentRef> {
  return new Map(open.filter((i) => i.ruleId === rule.id).map((i) => [i.groupKey, { id: i.id, groupKey: i.groupKey }]));
}

/**
 * Evaluates the rules on ingest: every committed snapshot runs the host's rules (no polling
 * delay), under the host's advisory lock so API instances never race on one host.
 */
@Injectable()
export class AlertEngine implements OnModuleInit {
  private readonly logger = new Logger('AlertEngine');
  private readonly skippedRules = new Set<string>();

  constructor(
    @Inject(EvaluationRepository) private readonly repo: EvaluationRepository,
    @Inject(RulesRepository) private readonly rules: RulesRepository,
    @Inject(SnapshotEvents) private readonly events: SnapshotEvents,
    @Inject(DeliveryWorker) private readonly worker: DeliveryWorker,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onModuleInit(): void {
    this.events.onStored('alerts', async ({ hostId, snapshot }) => {
      await this.evaluateSnapshot(hostId, snapshot);
    });
  }

  /** Enabled rules that still validate; a broken row is reported once and skipped. */
  async activeRules(): Promise<AlertRule[]> {
    const rules: AlertRule[] = [];
    for (const row of await this.rules.listEnabled()) {
      const rule = parseRuleRow(row);
      if (rule !== null) rules.push(rule);
      else if (!this.skippedRules.has(row.id)) {
        this.skippedRules.add(row.id);
        this.logger.warn(`rule ${row.id} ("${row.name}") does not validate and is skipped; edit or delete it`);
      }
    }
    return rules;
  }

  async evaluateSnapshot(hostId: string, snapshot: Snapshot): Promise<TransitionSummary> {
    const host = await this.repo.host(hostId);
    const takenAt = new Date(snapshot.takenAt);
    // A spooled snapshot arriving after a newer one must not overrule what the newer one decided.
    if (host === null || (host.latestTakenAt !== null && host.latestTakenAt > takenAt)) return emptySummary();
    const labels = parseLabels(host.labels);
    const rules = (await this.activeRules()).filter((r) => ruleApplies(r, { id: hostId, labels }));
    const applicable = new Set(rules.map((r) => r.id));
    if (!couldBreach(rules, snapshot.report) && !(await this.repo.hasAlertState(hostId))) {
      await this.repo.recordQuietEvaluation(hostId, snapshot.seq, takenAt);
      return emptySummary();
    }
    const now = new Date();
    const summary = await this.repo.inHostTransaction(hostId, async (tx) => {
      if (!(await tx.advanceEvaluation(hostId, snapshot.seq, takenAt))) return emptySummary();
      const pending = await tx.pendingStates(hostId);
      const open = await tx.openIncidents(hostId);
      const transitions = new IncidentTransitions(tx, this.config.alerts.publicUrl);
      const series = await this.trendSeries(hostId, rules, snapshot, pending, open);
      const target = { id: hostId, hostname: host.hostname, labels };
      for (const rule of rules) {
        const observations = this.observe(rule, hostId, snapshot, series, now);
        const decisions = decide(observations, sustainOf(rule), pendingOf(rule, pending), openOf(rule, open));
        await transitions.apply(rule, target, decisions, now);
      }
      // A rule disabled, deleted, or re-scoped away from this host no longer holds here.
      for (const incident of open) {
        if (incident.ruleId === null || !applicable.has(incident.ruleId)) await transitions.resolve(incident.id, {}, now);
      }
      await tx.clearPending([...pending].filter(([, s]) => !applicable.has(s.ruleId)).map(([key]) => key));
      return transitions.summary;
    });
    if (summary.queued > 0) this.worker.wake();
    return summary;
  }

  private observe(
    rule: AlertRule,
    hostId: string,
    snapshot: Snapshot,
    series: ReadonlyMap<string, ForecastPoint[]>,
    now: Date,
  ): Observation[] {
    switch (rule.kind) {
      case 'pressure': {
        const since = Date.parse(snapshot.takenAt) - PRESSURE_TREND_SECONDS * 1000;
        const windowed = new Map([...series].map(([key, points]) => [key, points.filter((p) => p.t >= since)]));
        return observePressure(rule.id, rule.params, hostId, snapshot.report, { series: windowed, nowMs: Date.parse(snapshot.takenAt) });
      }
      case 'forecast': {
        // Fits use the agent's clock throughout: sample times and "now" are both its takenAt.
        const nowMs = Date.parse(snapshot.takenAt);
        const since = nowMs - rule.params.windowSeconds * 1000;
        const windowed = new Map([...series].map(([key, points]) => [key, points.filter((p) => p.t >= since)]));
        return observeForecast(rule.id, rule.params, hostId, snapshot.report, windowed, nowMs);
      }
      case 'offline':
        // The host just reported.
        return [observeOffline(rule.id, rule.params, hostId, now, now, now.getTime())];
    }
  }

  /**
   * The trailing `used − reclaimable` of the tuples that need a trend: for forecast rules, the
   * worst tuples and any already pending or firing; for pressure rules, the tuples in their
   * hysteresis band (their messages say when the tuple runs out). Usually few or none, so most
   * snapshots cost no query here.
   */
  private async trendSeries(
    hostId: string,
    rules: readonly AlertRule[],
    snapshot: Snapshot,
    pending: ReadonlyMap<string, unknown>,
    open: readonly IncidentRow[],
  ): Promise<Map<string, ForecastPoint[]>> {
    const forecasts = rules.filter((r) => r.kind === 'forecast');
    const pressureFloor = Math.min(...rules.map((r) => (r.kind === 'pressure' ? r.params.threshold - r.params.resolveMargin : Infinity)));
    const watched = new Set(open.map((i) => i.groupKey));
    for (const key of pending.keys()) watched.add(key);
    const tuples = new Map<string, AlertTuple>();
    snapshot.report.tuples.forEach((t, index) => {
      const tuple = tupleOf(t);
      const forForecast =
        forecasts.length > 0 && (index < FORECAST_TOP_TUPLES || forecasts.some((r) => watched.has(groupKeyFor(r.id, hostId, tuple))));
      if (forForecast || t.pressure >= pressureFloor) tuples.set(tupleKey(tuple), tuple);
    });
    if (tuples.size === 0) return new Map();
    const longest = Math.max(PRESSURE_TREND_SECONDS, ...forecasts.map((r) => (r.kind === 'forecast' ? r.params.windowSeconds : 0)));
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
