import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SnapshotEvents, type StoredSnapshot } from '../ingest/snapshot-events.ts';
import { LiveService } from '../live/live.service.ts';
import { HistoryRepository, type TrendRow } from './history.repository.ts';
import { mergeTrend, type TrendSample } from './host-trend.ts';

/** New snapshots wait this long so that one transaction refreshes many hosts' trends. */
const FLUSH_DELAY_MS = 250;
/** …or less, once this many hosts are waiting. */
const FLUSH_HOSTS = 500;

/**
 * Keeps each host's trend (last hour per minute + forecast) on its hosts row, so ranking 10,000
 * hosts reads 10,000 rows and never the history tables: the alternative, a per-request scan of
 * the last hour of snapshots, reads 3.6 million rows at a 10 s interval. Snapshots are folded in
 * after ingest commits (SnapshotEvents), batched: at fleet scale one short transaction per
 * quarter second, instead of one per snapshot on the ingest path. A trend is derived data: a crash
 * loses at most the last quarter second of minutes, which the next snapshot of the minute repairs.
 */
@Injectable()
export class HostTrendsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('HostTrends');
  private pending = new Map<string, TrendSample[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(HistoryRepository) private readonly repository: HistoryRepository,
    @Inject(SnapshotEvents) private readonly events: SnapshotEvents,
    @Inject(LiveService) private readonly live: LiveService,
  ) {}

  onModuleInit(): void {
    this.events.onStored('host-trends', (stored) => this.record(stored));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  record({ hostId, snapshot }: StoredSnapshot): void {
    const samples = this.pending.get(hostId) ?? [];
    samples.push({ t: Date.parse(snapshot.takenAt), pressure: snapshot.report.pressure, usable: snapshot.report.usable });
    this.pending.set(hostId, samples);
    if (this.pending.size >= FLUSH_HOSTS) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes every waiting sample; resolves when they are stored (flushes run one at a time). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.flushing;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: Map<string, TrendSample[]>): Promise<void> {
    let updated: TrendRow[];
    try {
      updated = await this.repository.updateTrends([...batch.keys()], (rows) =>
        rows.flatMap((row) => {
          const trend = mergeTrend(row.trend, batch.get(row.id) ?? []);
          return trend ? [{ id: row.id, trend }] : [];
        }),
      );
    } catch (error) {
      this.logger.error(`could not refresh the trends of ${batch.size} hosts: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const row of updated) if (row.trend) this.live.publish({ type: 'trend', hostId: row.id, trend: row.trend });
  }
}
