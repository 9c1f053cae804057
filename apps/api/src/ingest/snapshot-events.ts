import { Injectable, Logger, Optional } from '@nestjs/common';
import { ServiceMetrics } from '../metrics/service-metrics.ts';
import type { Snapshot } from '@portpressure/protocol';

/** A snapshot that was just committed for a host. */
export interface StoredSnapshot {
  hostId: string;
  snapshot: Snapshot;
}

export type SnapshotListener = (stored: StoredSnapshot) => Promise<void> | void;
/** Receives every snapshot stored since its previous call, each host's in commit order. */
export type SnapshotBatchListener = (stored: readonly StoredSnapshot[]) => Promise<void> | void;

/** Snapshots whose per-snapshot listeners may run at the same time. */
const MAX_CONCURRENT_SNAPSHOTS = 16;

/**
 * Post-commit hook of ingest: features that react to new data (live fan-out, alert evaluation)
 * register here instead of ingest knowing about them. Listeners run after the snapshot's
 * transaction has committed and its ack has gone out; a failing listener is logged and never fails
 * ingest. Each newly stored snapshot is emitted once (never a resend), a host's in commit order.
 *
 * At thousands of snapshots a second, per-snapshot work with its own queries costs more than
 * storing the snapshots did: a listener that touches the database should use onStoredBatch and
 * do one round trip for many snapshots (keeping, for instance, only each host's newest).
 * Ingest waits for listeners that fall far behind (acks slow down) rather than queue without bound.
 */
@Injectable()
export class SnapshotEvents {
  private readonly logger = new Logger('SnapshotEvents');
  private readonly listeners: { name: string; listener: SnapshotListener }[] = [];
  private readonly batchListeners: { name: string; listener: SnapshotBatchListener }[] = [];
  private pending: StoredSnapshot[] = [];
  private pendingDone: Promise<void> | undefined;
  private resolvePending: (() => void) | undefined;
  /** A drain is scheduled or running. */
  private draining = false;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly series = new Map<string, ListenerSeries>();

  constructor(@Optional() private readonly metrics?: ServiceMetrics) {}

  onStored(name: string, listener: SnapshotListener): void {
    this.listeners.push({ name, listener });
  }

  onStoredBatch(name: string, listener: SnapshotBatchListener): void {
    this.batchListeners.push({ name, listener });
  }

  /** Resolves when every listener has handled the snapshot. */
  async emitStored(stored: StoredSnapshot): Promise<void> {
    const lag = this.metrics?.postCommitLag.startTimer();
    await Promise.all([
      this.listeners.length > 0 ? this.runListeners(stored) : undefined,
      this.batchListeners.length > 0 ? this.enqueue(stored) : undefined,
    ]);
    lag?.();
  }

  /**
   * Per-snapshot listeners run for at most MAX_CONCURRENT_SNAPSHOTS snapshots at once: hundreds of
   * hosts committing together must not start hundreds of listener transactions that then starve
   * each other (and everyone else) of database connections.
   */
  private async runListeners(stored: StoredSnapshot): Promise<void> {
    if (this.running >= MAX_CONCURRENT_SNAPSHOTS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      await Promise.all(
        this.listeners.map(({ name, listener }) =>
          this.runListener(
            name,
            () => listener(stored),
            () => `host ${stored.hostId}`,
          ),
        ),
      );
    } finally {
      // Hand the slot straight to the next waiter, or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /**
   * Collects snapshots into batches, one batch running at a time: everything stored while a batch
   * runs goes into the next one, whole. So when listeners lag (each run costs some round trips
   * whatever its size), batches grow instead of queueing up, each paying that cost again: at
   * 1,500 snapshots/s, runs of ~100 snapshots took ~55 ms each and their queue grew until acks
   * waited for it. Resolves when the batch holding `stored` has been handled.
   */
  private enqueue(stored: StoredSnapshot): Promise<void> {
    this.pending.push(stored);
    if (this.pendingDone === undefined) {
      this.pendingDone = new Promise<void>((resolve) => (this.resolvePending = resolve));
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    }
    return this.pendingDone;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      const resolve = this.resolvePending!;
      this.pending = [];
      this.pendingDone = undefined;
      this.resolvePending = undefined;
      await this.runBatch(batch);
      resolve();
    }
    this.draining = false;
  }

  private async runBatch(batch: readonly StoredSnapshot[]): Promise<void> {
    await Promise.all(
      this.batchListeners.map(({ name, listener }) =>
        this.runListener(
          name,
          () => listener(batch),
          () => `a batch of ${batch.length} snapshot(s)`,
        ),
      ),
    );
  }

  /** Runs one listener, timed and counted by outcome; a failure is logged (for `what` it ran on), not thrown. */
  private async runListener(name: string, run: () => Promise<void> | void, what: () => string): Promise<void> {
    const metrics = this.listenerMetrics(name);
    const timed = metrics?.duration.startTimer();
    try {
      await run();
      metrics?.ok.inc();
    } catch (error) {
      metrics?.failed.inc();
      this.logger.error(`${name} failed for ${what()}: ${describe(error)}`);
    } finally {
      timed?.();
    }
  }

  /**
   * A listener's metric series, looked up once: a listener runs for every stored snapshot, and
   * prom-client hashes the label object of each call otherwise.
   */
  private listenerMetrics(name: string): ListenerSeries | undefined {
    const m = this.metrics;
    if (!m) return undefined;
    const known = this.series.get(name);
    if (known) return known;
    const series: ListenerSeries = {
      duration: m.listenerDuration.labels({ listener: name }),
      ok: m.listenerRuns.labels({ listener: name, outcome: 'ok' }),
      failed: m.listenerRuns.labels({ listener: name, outcome: 'error' }),
    };
    this.series.set(name, series);
    return series;
  }
}

interface ListenerSeries {
  duration: { startTimer(): () => unknown };
  ok: { inc(): void };
  failed: { inc(): void };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
