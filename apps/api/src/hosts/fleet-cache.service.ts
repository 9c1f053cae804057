import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { FleetRepository, type FleetRowText } from './fleet.repository.ts';
import { offlineAfterSeconds } from '@portpressure/protocol';

interface CachedRow {
  id: string;
  hostname: string;
  pressure: number | null;
  /** The row's JSON, encoded once when it is read. */
  json: Buffer;
}

/** Another in-memory projection of the fleet that follows the same announcements. */
export interface FleetFollower {
  /** Hosts whose latest snapshot, labels or membership changed (a burst of announcements at once). */
  changed(ids: string[]): void;
  /** Announcements may have been missed (the listener reconnected): re-read everything. */
  resync(): void;
}

const toCached = (r: FleetRowText): CachedRow => ({ id: r.id, hostname: r.hostname, pressure: r.pressure, json: Buffer.from(r.json) });
const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']}');

/** Announced hosts are re-read together after this pause (one query for a burst). */
const REFRESH_DELAY_MS = 50;
/**
 * While the projection was asked for this recently (the UI polls every 5 s), announced hosts are
 * re-read and the body re-rendered at once, off the request path. Otherwise announced hosts are
 * only noted, and the next request re-reads them (one query) and renders: at 1,000 announced
 * hosts a second, the reads and the sorting of 10,000 rows into a 6 MB buffer (7-40 ms each
 * time) took the event loop from every other request several times a second, with nobody
 * looking at the ranking.
 */
export const WATCHED_FOR_MS = 15_000;
/**
 * A full reload now and then catches what is never announced (labels sent in a hello without a
 * snapshot, a host enrolled that has not reported yet) and anything missed while reconnecting.
 */
const FULL_RELOAD_MS = 60_000;

/**
 * The fleet ranking as a projection kept in memory: one JSON row per host (rendered by Postgres),
 * refreshed when any API instance announces a change (LISTEN/NOTIFY, sent after the history writer
 * folds new snapshots in). A request sorts and joins at most 10,000 strings when something changed,
 * and reads nothing from the database, so GET /api/fleet stays in milliseconds however large the
 * fleet's history, and its cost does not depend on how often it is asked.
 */
@Injectable()
export class FleetCacheService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FleetCache');
  private readonly rows = new Map<string, CachedRow>();
  /** The rows, sorted and joined, encoded once: `[row,row,…]`. */
  private body: Buffer | null = null;
  private loaded: Promise<void> | undefined;
  /** Database reads run one at a time, in order, so an older read never overwrites a newer one. */
  private reads: Promise<void> = Promise.resolve();
  private pending = new Set<string>();
  private renderQueued = false;
  /** When GET /api/fleet was last asked (performance.now()). */
  private askedAt = -Infinity;
  /** WATCHED_FOR_MS (a test sets 0 to follow the unwatched path). */
  watchedForMs = WATCHED_FOR_MS;
  /** Hosts announced while nobody asked: re-read by the next request. */
  private stale = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reloadTimer: ReturnType<typeof setInterval> | undefined;
  private readonly followers: FleetFollower[] = [];

  constructor(
    private readonly repository: FleetRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.repository.listen(
      (ids) => this.changed(ids),
      () => {
        // after a reconnection: announcements may have been missed
        if (this.loaded) this.loaded = this.read(() => this.reloadAll());
        for (const f of this.followers) f.resync();
      },
    );
    this.reloadTimer = setInterval(() => {
      if (this.loaded) this.loaded = this.read(() => this.reloadAll());
    }, FULL_RELOAD_MS);
    this.reloadTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.reloadTimer);
    clearTimeout(this.timer);
  }

  /** Another projection hears every announcement from here, with no listener connection of its own. */
  follow(follower: FleetFollower): void {
    this.followers.push(follower);
  }

  /** Hosts whose rows changed, on any instance. */
  changed(ids: string[]): void {
    for (const id of ids) this.pending.add(id);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const batch = [...this.pending];
      this.pending = new Set();
      if (this.loaded) {
        if (this.watched()) void this.read(() => this.reload(batch));
        else for (const id of batch) this.stale.add(id);
      }
      for (const f of this.followers) f.changed(batch);
    }, REFRESH_DELAY_MS);
  }

  /**
   * Drops a host deleted through this instance at once, so the next request here no longer lists
   * it; the other instances drop it when the announcement reaches them.
   */
  forget(id: string): void {
    if (this.rows.delete(id)) this.body = null;
  }

  /** Tells every instance that these hosts changed (the history writer calls this after each flush). */
  announce(ids: string[]): Promise<void> {
    return this.repository.announce(ids);
  }

  /**
   * The body of GET /api/fleet as chunks to write in order: a small head with this request's
   * serverTime, then the rows' buffer as cached (no per-request copy or re-encoding of megabytes).
   */
  async fleet(now = new Date()): Promise<Buffer[]> {
    this.askedAt = performance.now();
    this.loaded ??= this.read(() => this.reloadAll());
    if (this.stale.size > 0) {
      const ids = [...this.stale];
      this.stale = new Set();
      this.body = null;
      await this.read(() => this.reload(ids));
    }
    await this.loaded;
    this.body ??= this.render();
    const head = `{"serverTime":"${now.toISOString()}","offlineAfterSeconds":${offlineAfterSeconds(this.config.intervalSeconds)},"hosts":`;
    return [Buffer.from(head), this.body];
  }

  private read(work: () => Promise<void>): Promise<void> {
    this.reads = this.reads.then(work).catch((error: unknown) => {
      this.logger.error(`could not read the fleet: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.reads;
  }

  private async reloadAll(): Promise<void> {
    const rows = await this.repository.rows();
    this.rows.clear();
    for (const r of rows) this.rows.set(r.id, toCached(r));
    this.renderSoon();
  }

  private async reload(ids: string[]): Promise<void> {
    const rows = await this.repository.rows(ids);
    // an announced host without a row was deleted or archived: it leaves the ranking
    const present = new Set(rows.map((r) => r.id));
    for (const id of ids) if (!present.has(id)) this.rows.delete(id);
    for (const r of rows) this.rows.set(r.id, toCached(r));
    this.renderSoon();
  }

  /**
   * Re-renders off the request path while the ranking is being watched: a request gets the body
   * rendered after the last refresh (at most one refresh behind, milliseconds), so a busy fleet
   * does not make requests wait. Unwatched, the next request renders it (WATCHED_FOR_MS); a render
   * queued is left to it too.
   */
  private renderSoon(): void {
    if (this.body === null || !this.watched()) {
      this.body = null; // rendered by the next request
      return;
    }
    if (this.renderQueued) return;
    this.renderQueued = true;
    setImmediate(() => {
      this.renderQueued = false;
      this.body = this.render();
    });
  }

  private watched(): boolean {
    return performance.now() - this.askedAt <= this.watchedForMs;
  }

  /** `[row,row,…]}`: highest pressure first, hosts without data last, then by hostname. */
  private render(): Buffer {
    const rows = [...this.rows.values()];
    rows.sort((a, b) => {
      if (a.pressure !== b.pressure) {
        if (a.pressure === null) return 1;
        if (b.pressure === null) return -1;
        return b.pressure - a.pressure;
      }
      return a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0;
    });
    const parts: Buffer[] = [OPEN];
    rows.forEach((r, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(r.json);
    });
    parts.push(CLOSE);
    return Buffer.concat(parts);
  }
}
