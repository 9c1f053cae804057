import { Injectable, Logger, Optional } from '@nestjs/common';
import { ServiceMetrics } from '../metrics/service-metrics.ts';
import { IngestRepository, type SnapshotWrite } from './ingest.repository.ts';

/** Most snapshots stored in one statement (× up to 1,000 tuples each, in practice ~50). */
const MAX_BATCH = 400;
/** Batches in flight at once: while one waits for its commit to reach the disk, others execute. */
const MAX_CONCURRENT_BATCHES = 3;
/**
 * While another batch is being written, a new one waits this long for company before it starts.
 * Starting one for every snapshot that found a slot free filled the slots with batches of one or
 * two (each paying its round trips and its commit) while hundreds waited behind them: bench:ingest
 * measured batches of ~20 and 1,150 snapshots/s without listeners, against batches of ~120 and
 * 1,560/s with this pause. An idle writer still writes a lone snapshot at once.
 */
const LINGER_MS = 10;

interface Pending extends SnapshotWrite {
  resolve(stored: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit for snapshots. Every snapshot waits in one queue; whenever fewer than
 * MAX_CONCURRENT_BATCHES batches are being written, everything queued (up to MAX_BATCH) goes to
 * Postgres as one statement: at once when nothing else is being written or a batch has just
 * finished, otherwise after LINGER_MS. An idle server writes a lone snapshot at once; a busy one
 * writes hundreds per round trip, which is what lets two cores ingest thousands of snapshots a second.
 *
 * Order: a host's snapshots never sit in two batches in flight together, so they commit in the
 * order they arrived (acks and stored ids follow the agent's sequence).
 * Isolation: when a batch fails, its snapshots are retried one by one, so one snapshot the
 * database refuses fails alone instead of taking its batch with it.
 */
@Injectable()
export class SnapshotWriter {
  private readonly logger = new Logger('SnapshotWriter');
  private queue: Pending[] = [];
  private inFlight = 0;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  /** Hosts with a snapshot in a batch being written. */
  private readonly busyHosts = new Set<string>();

  constructor(
    private readonly repository: IngestRepository,
    @Optional() private readonly metrics?: ServiceMetrics,
  ) {}

  /** Resolves once the snapshot is committed: true if stored now, false if it was already stored. */
  write(write: SnapshotWrite): Promise<boolean> {
    const metrics = this.metrics;
    if (!metrics) return new Promise<boolean>((resolve, reject) => this.enqueue({ ...write, resolve, reject }));
    metrics.snapshotsReceived.inc();
    const acked = metrics.ackLatency.startTimer();
    return new Promise<boolean>((resolve, reject) =>
      this.enqueue({
        ...write,
        resolve: (stored) => {
          acked();
          if (stored) metrics.snapshotsStored.inc();
          resolve(stored);
        },
        reject: (error) => {
          metrics.snapshotsFailed.inc();
          reject(error);
        },
      }),
    );
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    this.pump();
  }

  /** Snapshots queued or being written. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Starts batches while slots are free; `now` skips the lingering (a slot was just freed, or the pause is over). */
  private pump(now = false): void {
    while (this.inFlight < MAX_CONCURRENT_BATCHES && this.queue.length > 0) {
      if (this.inFlight > 0 && !now) {
        this.lingerTimer ??= setTimeout(() => {
          this.lingerTimer = undefined;
          this.pump(true);
        }, LINGER_MS);
        return;
      }
      const batch = this.takeBatch();
      if (batch.length === 0) return; // everything queued waits for a host already being written
      this.inFlight += 1;
      const hosts = new Set(batch.map((p) => p.hostId));
      for (const h of hosts) this.busyHosts.add(h);
      void this.flush(batch).finally(() => {
        for (const h of hosts) this.busyHosts.delete(h);
        this.inFlight -= 1;
        this.pump(true);
      });
    }
  }

  /** Takes queued snapshots in arrival order, skipping (with all their successors) hosts already in flight. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const blocked = new Set<string>();
    for (const p of this.queue) {
      if (batch.length >= MAX_BATCH || this.busyHosts.has(p.hostId) || blocked.has(p.hostId)) {
        rest.push(p);
        blocked.add(p.hostId);
      } else {
        batch.push(p);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const timed = this.metrics?.batchDuration.startTimer();
      const stored = await this.repository.storeBatch(batch);
      timed?.();
      this.metrics?.batchSize.observe(batch.length);
      batch.forEach((p, i) => p.resolve(stored[i] ?? false));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      this.logger.warn(`a batch of ${batch.length} snapshots failed (${describe(error)}); retrying them one by one`);
    }
    for (const p of batch) {
      try {
        const [stored] = await this.repository.storeBatch([p]);
        p.resolve(stored ?? false);
      } catch (error) {
        p.reject(error);
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
