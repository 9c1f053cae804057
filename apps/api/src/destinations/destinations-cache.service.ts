import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { LatestTuplesRepository, type LatestTupleRow } from '../history/latest-tuples.repository.ts';
import { FleetCacheService, type FleetFollower, WATCHED_FOR_MS } from '../hosts/fleet-cache.service.ts';
import { DestinationsProjection, type HostDestinations } from './destinations-projection.ts';
import { DestinationsRepository, type DestinationHostRow } from './destinations.repository.ts';

/**
 * A full re-read now and then catches what is never announced (a label changed in a hello
 * without a snapshot). Longer than the fleet ranking's: it decodes every host's latest snapshot.
 */
const FULL_RELOAD_MS = 300_000;
/** Hosts read per query on a full reload, so its memory stays bounded at 10,000 hosts. */
const HOSTS_PER_READ = 1000;

/**
 * The destinations projection of this API instance, fed like the fleet ranking: it follows the
 * fleet's announcements (every API instance announces the hosts whose snapshots it stored, on
 * LISTEN/NOTIFY) and re-reads only those hosts' latest snapshots. A request reads nothing from
 * the database, so GET /api/destinations and GET /api/egress cost the same at 10,000 hosts
 * whatever the history holds.
 */
@Injectable()
export class DestinationsCacheService implements OnApplicationBootstrap, OnApplicationShutdown, FleetFollower {
  private readonly logger = new Logger('DestinationsCache');
  readonly projection = new DestinationsProjection();
  private loaded: Promise<void> | undefined;
  /** Database reads run one at a time, in order, so an older read never overwrites a newer one. */
  private reads: Promise<void> = Promise.resolve();
  private reloadTimer: ReturnType<typeof setInterval> | undefined;
  /** The latest snapshot read of each host in the projection (ms), so an announcement without a new one reads no tuples. */
  private readonly readAt = new Map<string, number>();
  /** When the projection was last asked for (performance.now()). */
  private askedAt = -Infinity;
  /** WATCHED_FOR_MS (a test sets 0 to follow the unwatched path). */
  watchedForMs = WATCHED_FOR_MS;
  /** Hosts announced while nobody asked: re-read by the next request. */
  private stale = new Set<string>();

  constructor(
    private readonly repository: DestinationsRepository,
    private readonly latest: LatestTuplesRepository,
    fleet: FleetCacheService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    fleet.follow(this);
  }

  onApplicationBootstrap(): void {
    this.reloadTimer = setInterval(() => this.resync(), FULL_RELOAD_MS);
    this.reloadTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.reloadTimer);
  }

  /** Re-read at once while the projection is asked for, else by the next request (as the fleet's: WATCHED_FOR_MS). */
  changed(ids: string[]): void {
    if (!this.loaded) return;
    if (performance.now() - this.askedAt <= this.watchedForMs) void this.read(() => this.reload(ids));
    else for (const id of ids) this.stale.add(id);
  }

  resync(): void {
    if (this.loaded) this.loaded = this.read(() => this.reloadAll());
  }

  /** The projection, loaded on first use; at most one announcement behind. */
  async current(): Promise<DestinationsProjection> {
    this.askedAt = performance.now();
    this.loaded ??= this.read(() => this.reloadAll());
    if (this.stale.size > 0) {
      const ids = [...this.stale];
      this.stale = new Set();
      await this.read(() => this.reload(ids));
    }
    await this.loaded;
    return this.projection;
  }

  /** Waits for the reads queued so far (a change made through this instance shows in the next answer). */
  async settled(): Promise<void> {
    await this.reads;
  }

  private read(work: () => Promise<void>): Promise<void> {
    this.reads = this.reads.then(work).catch((error: unknown) => {
      this.logger.error(`could not read destinations: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.reads;
  }

  private async reloadAll(): Promise<void> {
    const hosts = await this.repository.hosts(this.config.egress.label, null);
    const all: HostDestinations[] = [];
    for (let i = 0; i < hosts.length; i += HOSTS_PER_READ) all.push(...(await this.readHosts(hosts.slice(i, i + HOSTS_PER_READ))));
    this.projection.replaceAll(all);
    this.readAt.clear();
    for (const h of hosts) this.readAt.set(h.id, h.latestTakenAt.getTime());
  }

  private async reload(ids: string[]): Promise<void> {
    const hosts = await this.repository.hosts(this.config.egress.label, ids);
    // an announced host without a row was deleted or archived: it leaves the projection
    const present = new Set(hosts.map((h) => h.id));
    for (const id of ids) {
      if (present.has(id)) continue;
      this.projection.remove(id);
      this.readAt.delete(id);
    }
    // a host announced without a new snapshot (seen, relabelled, regrouped) keeps its tuples
    const stale = hosts.filter(
      (h) => this.readAt.get(h.id) !== h.latestTakenAt.getTime() || !this.projection.retag(h.id, h.hostname, h.group),
    );
    // many after a while nobody asked (changed): read in parts, as reloadAll does
    for (let i = 0; i < stale.length; i += HOSTS_PER_READ) {
      for (const h of await this.readHosts(stale.slice(i, i + HOSTS_PER_READ))) this.projection.put(h);
    }
    for (const h of stale) this.readAt.set(h.id, h.latestTakenAt.getTime());
  }

  private async readHosts(hosts: readonly DestinationHostRow[]): Promise<HostDestinations[]> {
    if (hosts.length === 0) return [];
    const byHost = new Map<string, LatestTupleRow[]>();
    for (const t of await this.latest.tuplesOf(hosts.map((h) => h.id))) {
      const list = byHost.get(t.hostId);
      if (list === undefined) byHost.set(t.hostId, [t]);
      else list.push(t);
    }
    return hosts.map((h) => ({ hostId: h.id, hostname: h.hostname, group: h.group, tuples: byHost.get(h.id) ?? [] }));
  }
}
