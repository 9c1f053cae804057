import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { FleetCacheService } from '../hosts/fleet-cache.service.ts';
import { HOUR_ROLLUP_GRACE_MS } from './hour-rollup.ts';
import { MaintenanceRepository, type MaintenanceSession } from './maintenance.repository.ts';
import { planPartitions, retentionCutoff, type PartitionedTable } from './partition-plan.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The hour before the watermark is recomputed too: minute rows that arrived late (a spool replay) reach it. */
const HOUR_ROLLUP_OVERLAP_MS = HOUR;

/** What one run did (for logs and tests). */
export interface MaintenanceReport {
  created: string[];
  dropped: string[];
  prunedDefaultRows: number;
  hoursRolledUp: { from: string; to: string } | null;
  deliveriesDeleted: number;
  incidentsDeleted: number;
  sessionsDeleted: number;
  /** Gone namespaces whose reports retention has dropped. */
  namespacesDeleted: number;
  archivedHosts: string[];
}

/**
 * The maintenance job: makes partitions ahead and drops those past retention (dropping a
 * partition is the retention: no large DELETE), rolls minutes up into hours, trims the delivery
 * log, resolved incidents and expired sessions, and archives hosts silent too long. It runs on
 * one API instance at a time (a session advisory lock; the others skip the run), at start and
 * every PORTPRESSURE_MAINTENANCE_MINUTES. Every step is idempotent, so a run cut short is simply
 * completed by the next.
 */
@Injectable()
export class MaintenanceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Maintenance');
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: MaintenanceRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly fleet: FleetCacheService,
  ) {}

  /** The partitioned history tables and their retention. */
  get tables(): PartitionedTable[] {
    const r = this.config.retention;
    return [
      { table: 'snapshots', column: 'taken_at', unit: 'day', retentionDays: r.rawDays },
      { table: 'namespace_snapshots', column: 'taken_at', unit: 'day', retentionDays: r.rawDays },
      { table: 'host_minutes', column: 'minute', unit: 'day', retentionDays: r.minuteDays },
      { table: 'tuple_minutes', column: 'minute', unit: 'day', retentionDays: r.minuteDays },
      { table: 'host_hours', column: 'hour', unit: 'month', retentionDays: r.hourDays },
      { table: 'tuple_hours', column: 'hour', unit: 'month', retentionDays: r.hourDays },
    ];
  }

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running = this.run().catch((error: unknown) => {
        this.logger.error(`maintenance failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    };
    tick();
    this.timer = setInterval(tick, this.config.retention.maintenanceMinutes * 60_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run at `now` (injected by tests); null when another instance holds the job. */
  run(now = new Date()): Promise<MaintenanceReport | null> {
    return this.repository.withJobLock((session) => this.runLocked(session, now));
  }

  private async runLocked(session: MaintenanceSession, now: Date): Promise<MaintenanceReport> {
    const r = this.config.retention;
    const report: MaintenanceReport = {
      created: [],
      dropped: [],
      prunedDefaultRows: 0,
      hoursRolledUp: null,
      deliveriesDeleted: 0,
      incidentsDeleted: 0,
      sessionsDeleted: 0,
      namespacesDeleted: 0,
      archivedHosts: [],
    };
    for (const t of this.tables) {
      const plan = planPartitions(t, await this.repository.partitions(session, t.table), now);
      for (const p of plan.create) {
        await this.repository.createPartition(session, t.table, t.column, p);
        report.created.push(p.name);
      }
    }
    // Hours are computed before minutes go: the hour tier must hold whatever the minute tier drops.
    report.hoursRolledUp = await this.rollupHours(session, now);
    for (const t of this.tables) {
      const plan = planPartitions(t, await this.repository.partitions(session, t.table), now);
      for (const name of plan.drop) {
        await this.repository.dropPartition(session, name);
        report.dropped.push(name);
      }
      report.prunedDefaultRows += await this.repository.pruneDefault(session, t.table, t.column, retentionCutoff(t, now));
    }
    report.deliveriesDeleted = await this.repository.deleteDeliveries(session, new Date(now.getTime() - r.deliveryDays * DAY));
    report.incidentsDeleted = await this.repository.deleteResolvedIncidents(session, new Date(now.getTime() - r.incidentDays * DAY));
    report.sessionsDeleted = await this.repository.deleteExpiredSessions(session, now);
    // A day more than the raw tier keeps: by then every report of theirs went with its partition.
    report.namespacesDeleted = await this.repository.deleteGoneNamespaces(session, new Date(now.getTime() - (r.rawDays + 1) * DAY));
    // The alert timer resolves an archived host's offline incident on its next tick.
    report.archivedHosts = await this.repository.archiveSilentHosts(session, new Date(now.getTime() - r.archiveAfterDays * DAY), now);
    if (report.archivedHosts.length > 0) await this.fleet.announce(report.archivedHosts);
    if (report.created.length + report.dropped.length + report.archivedHosts.length > 0) {
      this.logger.log(
        `partitions created: ${report.created.join(', ') || 'none'}; dropped: ${report.dropped.join(', ') || 'none'}; ` +
          `hosts archived: ${report.archivedHosts.length}`,
      );
    }
    return report;
  }

  private async rollupHours(session: MaintenanceSession, now: Date): Promise<{ from: string; to: string } | null> {
    const to = Math.floor((now.getTime() - HOUR_ROLLUP_GRACE_MS) / HOUR) * HOUR;
    const watermark = await this.repository.hourWatermark(session);
    let from: number;
    if (watermark !== null) from = watermark.getTime() - HOUR_ROLLUP_OVERLAP_MS;
    else {
      const oldest = await this.repository.oldestMinute(session);
      if (oldest === null) return null;
      from = Math.floor(oldest.getTime() / HOUR) * HOUR;
    }
    if (to <= from) return null;
    await this.repository.rollupHours(session, new Date(from), new Date(to));
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  }
}
