import { Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ServiceMetrics } from '../metrics/service-metrics.ts';
import { FleetCacheService } from '../hosts/fleet-cache.service.ts';
import { SnapshotEvents, type StoredSnapshot } from '../ingest/snapshot-events.ts';
import { LiveService } from '../live/live.service.ts';
import { HistoryWritesRepository, type TrendRow } from './history-writes.repository.ts';
import { ClockSkews } from '../host-clock/clock-skews.ts';
import { mergeTrend, sameTrend, type TrendSample } from './host-trend.ts';
import { MinuteRollupBatch, type TupleMinuteRow } from './minute-rollup.ts';

/**
 * New snapshots wait this long so that one transaction refreshes many hosts' trends and minutes
 * (and every instance's fleet ranking re-reads them once). A second keeps the ranking's sparkline
 * and forecast current for people watching; at 250 ms, bench:ingest (10 snapshots/s per host)
 * spent four times the work on them and measured p99 acks of 208-334 ms, at 1 s 152-214 ms.
 */
const FLUSH_DELAY_MS = 1000;
/** …or less, once this many hosts are waiting. */
const FLUSH_HOSTS = 500;
/** A minute's tuple rows are written once it ended this long ago (snapshots arrive a little late). */
const TUPLE_MINUTE_GRACE_MS = 5_000;
/** While tuple rows wait for their minute to end, a flush runs at least this often. */
const TUPLE_FLUSH_MS = 10_000;
/**
 * Most tuple rows one flush writes: at a minute's end every host's rows are due at once (8,000
 * for 200 hosts in bench:ingest), and spread over a few flushes they do not hold up ingest.
 */
const TUPLE_ROWS_PER_FLUSH = 2_000;

/**
 * Keeps the derived history current as snapshots are stored:
 * - each host's trend (last hour per minute + forecast) in host_trends, so ranking 10,000 hosts
 *   reads 10,000 rows and never the history tables (a per-request scan of the last hour would
 *   read 3.6 million snapshots at a 10 s interval);
 * - the per-minute rollups (host_minutes, tuple_minutes) that long history spans are drawn from.
 * Snapshots are folded in after ingest commits (SnapshotEvents), batched: at fleet scale a few
 * statements per second instead of several per snapshot on the ingest path. The tuple
 * rollup is kept in memory until its minute is over and then written once: the worst tuples of
 * every snapshot were ten upserts per snapshot, the largest statement after ingest's own (long
 * spans, the only readers, end a minute earlier meanwhile). Two instances writing one host-minute
 * merge (maxima). This is derived data: a crash loses at most the last second of host
 * minutes and trends, and the current minute of tuple rollups; the snapshots themselves are stored.
 */
@Injectable()
export class HistoryWriterService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('HistoryWriter');
  private pending = new Map<string, TrendSample[]>();
  private minutes = new MinuteRollupBatch();
  /** Tuple rows of minutes not over yet (and of those over but not written). */
  private readonly tupleMinutes = new MinuteRollupBatch();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private tupleTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: HistoryWritesRepository,
    private readonly events: SnapshotEvents,
    private readonly live: LiveService,
    private readonly fleet: FleetCacheService,
    private readonly skews: ClockSkews,
    @Optional() private readonly metrics?: ServiceMetrics,
  ) {}

  onModuleInit(): void {
    this.events.onStored('history', (stored) => this.record(stored));
  }

  /** Writes what is waiting while the database connection is still open (it closes on destroy too). */
  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.tupleTimer);
    await this.flush(true);
  }

  record({ hostId, snapshot }: StoredSnapshot): void {
    const samples = this.pending.get(hostId) ?? [];
    samples.push({ t: Date.parse(snapshot.takenAt), pressure: snapshot.report.pressure, usable: snapshot.report.usable });
    this.pending.set(hostId, samples);
    this.minutes.addHost(hostId, snapshot);
    this.tupleMinutes.addTuples(hostId, snapshot);
    if (this.pending.size >= FLUSH_HOSTS) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /**
   * Writes every waiting sample and the tuple rows of minutes that are over (`all`: every tuple
   * row, at shutdown); resolves when they are stored (flushes run one at a time).
   */
  flush(all = false): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const endedBy = all ? Infinity : Date.now() - TUPLE_MINUTE_GRACE_MS;
    const tuples = this.tupleMinutes.takeTupleRows(endedBy, all ? Infinity : TUPLE_ROWS_PER_FLUSH);
    if (this.tupleMinutes.tupleCount > 0) {
      // rows left over from a minute that is over go with the next flush, soon
      const soon = tuples.length === TUPLE_ROWS_PER_FLUSH;
      if (soon) {
        clearTimeout(this.tupleTimer);
        this.tupleTimer = undefined;
      }
      this.tupleTimer ??= setTimeout(
        () => {
          this.tupleTimer = undefined;
          void this.flush();
        },
        soon ? FLUSH_DELAY_MS : TUPLE_FLUSH_MS,
      );
    }
    if (this.pending.size === 0 && tuples.length === 0) return this.flushing;
    const batch = this.pending;
    const minutes = this.minutes;
    this.pending = new Map();
    this.minutes = new MinuteRollupBatch();
    // a minute that is over waits for its last tuple rows (see holdBackHostRows)
    minutes.holdBackHostRows(this.tupleMinutes, endedBy, this.minutes);
    this.flushing = this.flushing.then(() => this.write(batch, minutes, tuples));
    return this.flushing;
  }

  private async write(batch: Map<string, TrendSample[]>, minutes: MinuteRollupBatch, tuples: TupleMinuteRow[]): Promise<void> {
    try {
      await this.repository.upsertMinutes(minutes.hostRows(), tuples);
      this.metrics?.historyFlushes.inc({ outcome: 'ok' });
    } catch (error) {
      this.metrics?.historyFlushes.inc({ outcome: 'error' });
      this.logger.error(
        `could not store the minutes of ${minutes.size} host-minutes and ${tuples.length} tuple-minutes: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (batch.size === 0) return;
    let updated: TrendRow[];
    try {
      updated = await this.repository.updateTrends([...batch.keys()], (rows) =>
        rows.flatMap((row) => {
          const trend = mergeTrend(row.trend, batch.get(row.id) ?? [], this.skews.offsetMs(row.id));
          // most snapshots of a minute change nothing (the minute's maximum stands): no write, no message
          return trend && !sameTrend(row.trend, trend) ? [{ id: row.id, trend }] : [];
        }),
      );
    } catch (error) {
      this.logger.error(`could not refresh the trends of ${batch.size} hosts: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const row of updated) if (row.trend) this.live.publish({ type: 'trend', hostId: row.id, trend: row.trend });
    // every instance's fleet ranking re-reads these hosts (their snapshot and trend are committed now)
    await this.fleet.announce([...batch.keys()]).catch((error: unknown) => {
      this.logger.error(`could not announce fleet changes: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
