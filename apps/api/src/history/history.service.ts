import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_HISTORY_HOURS,
  MAX_HISTORY_DAYS,
  MAX_HISTORY_POINTS,
  TCP_STATES,
  historyQuerySchema,
  type HistoryStates,
  type HostDetail,
  type HistoryTier,
  type HostHistory,
  type TupleSeries,
} from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { OFFLINE_AFTER_INTERVALS } from '../hosts/host-summary.ts';
import { HostsService } from '../hosts/hosts.service.ts';
import { HistoryError } from './history.errors.ts';
import {
  HistoryRepository,
  type HistoryWindow,
  type HostBucket,
  type Silence,
  type StateBucket,
  type TupleBucket,
} from './history.repository.ts';
import { adviceFor } from './host-advice.ts';

/** Tuples drawn as their own series on the host page. */
export const TOP_TUPLES = 5;
/**
 * Spans up to two hours are drawn from the snapshots themselves (buckets under 8 s: every
 * snapshot of a 10 s agent is its own point); longer ones from the minute rollups, in buckets of
 * whole minutes, so a day reads 1,440 rows per series instead of every snapshot and tuple.
 */
const RAW_MAX_SPAN_MS = 2 * 3_600_000;
const MINUTE_MS = 60_000;

interface Loaded {
  hostBuckets: HostBucket[];
  stateBuckets: StateBucket[];
  tupleBuckets: TupleBucket[];
  silences: { from: number; to: number }[];
}

export interface PlannedWindow extends HistoryWindow {
  tier: HistoryTier;
}

/** Spans up to a week are drawn from minute rollups (at most ~10-minute buckets); longer ones from hour rollups. */
const MINUTE_MAX_SPAN_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

@Injectable()
export class HistoryService {
  constructor(
    private readonly repository: HistoryRepository,
    private readonly hosts: HostsService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  private get offlineAfterSeconds(): number {
    return OFFLINE_AFTER_INTERVALS * this.config.intervalSeconds;
  }

  /** Validates `?from&to` into a window of at most MAX_HISTORY_POINTS buckets, or throws INVALID_QUERY. */
  window(hostId: string, query: unknown, now: Date): PlannedWindow {
    const parsed = historyQuerySchema.safeParse(query ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HistoryError('INVALID_QUERY', `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
    }
    const to = parsed.data.to ? new Date(parsed.data.to) : now;
    const from = parsed.data.from ? new Date(parsed.data.from) : new Date(to.getTime() - DEFAULT_HISTORY_HOURS * 3_600_000);
    const span = to.getTime() - from.getTime();
    if (span <= 0) throw new HistoryError('INVALID_QUERY', `from (${from.toISOString()}) must be before to (${to.toISOString()})`);
    if (span > MAX_HISTORY_DAYS * 86_400_000) {
      throw new HistoryError('INVALID_QUERY', `the span from … to may be at most ${MAX_HISTORY_DAYS} days`);
    }
    // The finest tier that covers the span: one whose retention still holds its start.
    const retention = this.config.retention;
    if (span <= RAW_MAX_SPAN_MS && from.getTime() >= now.getTime() - retention.rawDays * DAY_MS) {
      return { hostId, from, to, bucketSeconds: Math.max(1, Math.ceil(span / 1000 / MAX_HISTORY_POINTS)), tier: 'raw' };
    }
    if (span <= MINUTE_MAX_SPAN_MS && from.getTime() >= now.getTime() - retention.minuteDays * DAY_MS) {
      const start = new Date(Math.floor(from.getTime() / MINUTE_MS) * MINUTE_MS);
      const minutes = Math.ceil((to.getTime() - start.getTime()) / MINUTE_MS / MAX_HISTORY_POINTS);
      return { hostId, from: start, to, bucketSeconds: minutes * 60, tier: 'minute' };
    }
    const start = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
    const hours = Math.ceil((to.getTime() - start.getTime()) / HOUR_MS / MAX_HISTORY_POINTS);
    return { hostId, from: start, to, bucketSeconds: hours * 3600, tier: 'hour' };
  }

  /**
   * The history of a host, or of one of its namespaces other than its own (`nsNo`). A namespace's
   * reports are kept in the raw tier only, so its history is drawn from them whatever the span
   * (within the raw retention), in buckets of the same size as the host's.
   */
  async history(hostId: string, query: unknown, now = new Date(), nsNo?: number): Promise<HostHistory> {
    let w: PlannedWindow = this.window(hostId, query, now);
    if (nsNo !== undefined) {
      const span = w.to.getTime() - w.from.getTime();
      w = { ...w, nsNo, tier: 'raw', bucketSeconds: Math.max(w.bucketSeconds, Math.ceil(span / 1000 / MAX_HISTORY_POINTS)) };
    }
    const [{ hostBuckets, stateBuckets, tupleBuckets, silences }, lastBeforeTo] = await Promise.all([
      w.tier === 'raw' ? this.fromSnapshots(w) : w.tier === 'minute' ? this.fromMinutes(w) : this.fromHours(w),
      this.repository.lastTakenAt(hostId, w.to, nsNo),
      this.hosts.get(hostId), // 404 for an unknown host rather than an empty history
    ]);
    const t = hostBuckets.map((b) => b.t);
    const index = new Map(t.map((x, i) => [x, i]));
    const zeros = () => t.map(() => 0);

    const timeWait = zeros();
    const reclaimable = zeros();
    const stateSeries = new Map(TCP_STATES.map((s) => [s, zeros()] as const));
    const seen = new Set<string>();
    for (const b of stateBuckets) {
      const i = index.get(b.t);
      if (i === undefined) continue;
      timeWait[i] = b.timeWait;
      reclaimable[i] = b.reclaimable;
      for (const s of TCP_STATES) {
        stateSeries.get(s)![i] = b[s];
        if (b[s] > 0) seen.add(s);
      }
    }
    const states: HistoryStates = {};
    for (const s of TCP_STATES) if (seen.has(s)) states[s] = stateSeries.get(s)!;

    return {
      hostId,
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      bucketSeconds: w.bucketSeconds,
      tier: w.tier,
      t,
      pressure: hostBuckets.map((b) => b.pressure),
      held: hostBuckets.map((b) => b.held),
      usable: hostBuckets.map((b) => b.usable),
      hostPortsInUse: hostBuckets.map((b) => b.hostPortsInUse),
      timeWait,
      reclaimable,
      states,
      tuples: this.tupleSeries(tupleBuckets, index, t.length),
      gaps: this.gaps(w, silences, lastBeforeTo, now),
    };
  }

  private async fromSnapshots(w: HistoryWindow): Promise<Loaded> {
    const [hostBuckets, { states, tuples }, silences] = await Promise.all([
      this.repository.hostBuckets(w),
      this.repository.rawTupleBuckets(w, TOP_TUPLES),
      this.repository.silences(w, this.offlineAfterSeconds),
    ]);
    return { hostBuckets, stateBuckets: states, tupleBuckets: tuples, silences };
  }

  private fromMinutes(w: HistoryWindow): Promise<Loaded> {
    const r = this.repository;
    return this.fromRollups(r.rollupBuckets(w), r.rollupTopTupleBuckets(w, TOP_TUPLES), r.rollupSilences(w, this.offlineAfterSeconds));
  }

  private fromHours(w: HistoryWindow): Promise<Loaded> {
    const r = this.repository;
    return this.fromRollups(r.hourBuckets(w), r.hourTopTupleBuckets(w, TOP_TUPLES), r.hourSilences(w, this.offlineAfterSeconds));
  }

  /** A rollup tier's three reads, run together: its buckets carry the host series and the states alike. */
  private async fromRollups(
    buckets: Promise<(HostBucket & StateBucket)[]>,
    tupleBuckets: Promise<TupleBucket[]>,
    silences: Promise<Silence[]>,
  ): Promise<Loaded> {
    const [b, tuples, gaps] = await Promise.all([buckets, tupleBuckets, silences]);
    return { hostBuckets: b, stateBuckets: b, tupleBuckets: tuples, silences: gaps };
  }

  private tupleSeries(buckets: TupleBucket[], index: Map<number, number>, length: number): TupleSeries[] {
    const series = new Map<string, TupleSeries>();
    for (const b of buckets) {
      const key = `${b.protocol} ${b.localAddress} ${b.remoteAddress} ${b.remotePort}`;
      let s = series.get(key);
      if (!s) {
        s = {
          tuple: { protocol: b.protocol, localAddress: b.localAddress, remoteAddress: b.remoteAddress, remotePort: b.remotePort },
          pressure: new Array<number>(length).fill(0),
          held: new Array<number>(length).fill(0),
        };
        series.set(key, s);
      }
      const i = index.get(b.t);
      if (i === undefined) continue;
      s.pressure[i] = b.pressure;
      s.held[i] = b.held;
    }
    return [...series.values()]; // the query returns them worst first
  }

  /** Silences inside the window, plus the one still running at its end (the host is offline now, or was then). */
  private gaps(w: HistoryWindow, silences: { from: number; to: number }[], last: number | null, now: Date) {
    const from = w.from.getTime();
    const end = Math.min(w.to.getTime(), now.getTime());
    const gaps = silences.map((g) => ({ from: Math.max(g.from, from), to: Math.min(g.to, end) })).filter((g) => g.to > g.from);
    if (last !== null && end - last > this.offlineAfterSeconds * 1000) {
      const g = { from: Math.max(last, from), to: end };
      if (g.to > g.from) gaps.push(g);
    }
    return gaps;
  }

  async detail(hostId: string, now = new Date()): Promise<HostDetail> {
    const [host, latest, trend] = await Promise.all([
      this.hosts.get(hostId, now),
      this.repository.latestSnapshot(hostId),
      this.repository.trendOf(hostId),
    ]);
    return {
      host,
      latest: latest && { seq: latest.seq, takenAt: latest.takenAt.toISOString(), report: latest.report },
      trend,
      advice: latest ? adviceFor(latest.report) : [],
      serverTime: now.toISOString(),
      offlineAfterSeconds: this.offlineAfterSeconds,
    };
  }
}
