import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AlertRule } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../../config/config.ts';
import { DeliveryWorker } from '../delivery/delivery-worker.service.ts';
import { parseRuleRow } from '../rules/rule-view.ts';
import { RulesRepository } from '../rules/rules.repository.ts';
import { DestinationsService } from '../../destinations/destinations.service.ts';
import { AlertEngine, openOf, pendingOf } from './alert-engine.service.ts';
import { parseLabels } from './batch-plan.ts';
import { EvaluationRepository } from './evaluation.repository.ts';
import { IncidentTransitions, emptySummary, type TransitionSummary } from './incident-transitions.ts';
import { dueNotification } from './reminders.ts';
import { ruleKindRegistry, type AnchoredObservation } from '../rules/kinds/index.ts';
import { decide, ruleApplies } from './rule-evaluation.ts';

function add(into: TransitionSummary, more: TransitionSummary): void {
  into.fired += more.fired;
  into.resolved += more.resolved;
  into.queued += more.queued;
}

/**
 * What ingest cannot see: hosts that stopped reporting, and reminders for incidents still firing.
 * Runs every PORTPRESSURE_ALERT_TICK_SECONDS on every instance, but a Postgres advisory lock lets
 * one instance at a time do the work (an advisory lock makes it a singleton job across instances).
 */
@Injectable()
export class AlertTicker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AlertTicker');
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<TransitionSummary> | undefined;

  constructor(
    private readonly repo: EvaluationRepository,
    private readonly rules: RulesRepository,
    private readonly engine: AlertEngine,
    private readonly worker: DeliveryWorker,
    private readonly destinations: DestinationsService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) =>
        this.logger.error(`alert timer failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, this.config.alerts.tickSeconds * 1000);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass of the timer; overlapping calls share the pass in progress. */
  tick(now = new Date()): Promise<TransitionSummary> {
    this.running ??= this.runOnce(now).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(now: Date): Promise<TransitionSummary> {
    const summary = emptySummary();
    await this.repo.ifJobLockFree(async () => {
      const rules = await this.engine.activeRules();
      add(summary, await this.evaluateOffline(rules, now));
      add(summary, await this.evaluateFleet(rules, now));
      add(summary, await this.sendReminders(now));
    });
    if (summary.queued > 0) this.worker.wake();
    return summary;
  }

  private async evaluateOffline(rules: AlertRule[], now: Date): Promise<TransitionSummary> {
    const summary = emptySummary();
    // Rules whose kind watches for silence (the offline rule), with the silence each waits for.
    const silenceKinds = ruleKindRegistry.silenceKinds();
    const silenceRules = rules.flatMap((rule) => {
      const silence = ruleKindRegistry.get(rule.kind).silence;
      return silence === undefined ? [] : [{ rule, silence }];
    });
    const shortest = Math.min(...silenceRules.map(({ rule, silence }) => silence.seconds(rule.params)));
    const cutoff = new Date(Number.isFinite(shortest) ? now.getTime() - shortest * 1000 : 0);
    for (const candidate of await this.repo.offlineCandidates(cutoff)) {
      const done = await this.repo.inHostTransaction(candidate.id, async (tx) => {
        // Re-read under the lock: a snapshot may have arrived since the candidates were listed.
        const host = (await this.repo.host(candidate.id)) ?? candidate;
        const labels = parseLabels(host.labels);
        const transitions = new IncidentTransitions(tx, this.config.alerts.publicUrl);
        const open = (await tx.openIncidents(host.id)).filter((i) => silenceKinds.has(i.ruleKind));
        // an archived host is out of the fleet: its offline incident resolves (below) and none opens
        const applicable = host.archivedAt ? [] : silenceRules.filter(({ rule }) => ruleApplies(rule, { id: host.id, labels }));
        for (const { rule, silence } of applicable) {
          const observation = silence.observe(rule.params, {
            ruleId: rule.id,
            hostId: host.id,
            lastHeardAt: host.lastSeenAt ?? host.createdAt,
            lastSeenAt: host.lastSeenAt,
            nowMs: now.getTime(),
          });
          const decisions = decide([observation], 1, new Map(), openOf(rule, open));
          await transitions.apply(rule, { id: host.id, hostname: host.hostname, labels }, decisions, now);
        }
        const ids = new Set(applicable.map(({ rule }) => rule.id));
        for (const incident of open) {
          if (incident.ruleId === null || !ids.has(incident.ruleId)) await transitions.resolve(incident.id, {}, now);
        }
        return transitions.summary;
      });
      add(summary, done);
    }
    return summary;
  }

  /**
   * Fleet-wide kinds (egress budgets): each rule's observations go to the hosts that hold them.
   * Only hosts with something breaching, pending or firing get a locked transaction.
   */
  private async evaluateFleet(rules: AlertRule[], now: Date): Promise<TransitionSummary> {
    const summary = emptySummary();
    const fleetRules = rules.flatMap((rule) => {
      const fleet = ruleKindRegistry.get(rule.kind).fleet;
      return fleet === undefined ? [] : [{ rule, fleet }];
    });
    if (fleetRules.length === 0) return summary;
    const egress = await this.destinations.egressUsage();
    for (const { rule, fleet } of fleetRules) {
      const byHost = new Map<string, AnchoredObservation[]>();
      for (const o of fleet.observe(rule.params, { ruleId: rule.id, egress })) {
        const list = byHost.get(o.hostId);
        if (list === undefined) byHost.set(o.hostId, [o]);
        else list.push(o);
      }
      const visit = new Set(await this.repo.hostsWithRuleState(rule.id));
      for (const [hostId, observations] of byHost) if (observations.some((o) => o.breaching)) visit.add(hostId);
      for (const hostId of visit) {
        const done = await this.repo.inHostTransaction(hostId, async (tx) => {
          const transitions = new IncidentTransitions(tx, this.config.alerts.publicUrl);
          const host = await this.repo.host(hostId);
          if (host === null) return transitions.summary;
          const pending = await tx.pendingStates(hostId);
          const open = await tx.openIncidents(hostId);
          const decisions = decide(
            byHost.get(hostId) ?? [],
            ruleKindRegistry.sustainOf(rule),
            pendingOf(rule, pending),
            openOf(rule, open),
          );
          await transitions.apply(rule, { id: host.id, hostname: host.hostname, labels: parseLabels(host.labels) }, decisions, now);
          return transitions.summary;
        });
        add(summary, done);
      }
    }
    return summary;
  }

  private async sendReminders(now: Date): Promise<TransitionSummary> {
    const summary = emptySummary();
    for (const candidate of await this.repo.reminderCandidates(now)) {
      const done = await this.repo.inHostTransaction(candidate.hostId, async (tx) => {
        const transitions = new IncidentTransitions(tx, this.config.alerts.publicUrl);
        const incident = await tx.incidentForUpdate(candidate.incidentId);
        const ruleRow = incident?.ruleId ? await this.rules.findById(incident.ruleId) : null;
        const rule = ruleRow === null ? null : parseRuleRow(ruleRow);
        if (incident === null || rule === null) return transitions.summary;
        const due = dueNotification(incident, rule.repeatIntervalSeconds, now);
        if (due === 'firing') await transitions.notify(incident, 'firing', { channelIds: rule.channelIds }, now);
        if (due === 'reminder') await transitions.notify(incident, 'reminder', 'same-as-firing', now);
        return transitions.summary;
      });
      add(summary, done);
    }
    return summary;
  }
}
