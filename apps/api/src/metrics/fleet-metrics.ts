import { Inject, Injectable } from '@nestjs/common';
import { TUPLE_LABELS, TUPLE_METRICS } from '@portpressure/domain';
import { Gauge } from 'prom-client';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { DbService } from '../database/db.service.ts';
import { AgentConnections } from '../enrollment/agent-connections.ts';
import { isOffline, offlineAfterSeconds } from '@portpressure/protocol';
import { providerRegistry } from '../notifications/providers/index.ts';
import { LatestTuplesRepository } from '../history/latest-tuples.repository.ts';
import { MetricsRepository } from './metrics.repository.ts';
import { ServiceMetrics } from './service-metrics.ts';

const HOST_LABELS = ['host_id', 'hostname'] as const;

/**
 * The figures read from PostgreSQL at each scrape: the fleet (as every instance sees it, so any
 * instance can be scraped) and the outbox, plus this instance's agent connections and pool.
 * Series of hosts that were deleted disappear, because every gauge is rebuilt on each scrape.
 */
@Injectable()
export class FleetMetrics {
  /** Every gauge below: all are emptied before each scrape refills them. */
  private readonly gauges: { reset(): void }[] = [];
  private readonly hosts;
  private readonly hostPressure;
  private readonly hostUsable;
  private readonly hostWorstUsed;
  private readonly hostTimeWait;
  private readonly hostExhaustion;
  private readonly hostLastSeen;
  private readonly hostOnline;
  private readonly agentInfo;
  private readonly tupleUsed;
  private readonly tupleTimeWait;
  private readonly tupleReclaimable;
  private readonly tuplePressure;
  private readonly agentsConnected;
  private readonly outboxPending;
  private readonly outboxFailed;
  private readonly poolConnections;

  constructor(
    metrics: ServiceMetrics,
    private readonly repository: MetricsRepository,
    private readonly latestTuples: LatestTuplesRepository,
    private readonly connections: AgentConnections,
    private readonly db: DbService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> => {
      const g = new Gauge<L>({ name, help, labelNames, registers: [metrics.registry] });
      this.gauges.push(g);
      return g;
    };
    const hostGauge = (name: string, help: string) => gauge(name, help, HOST_LABELS);
    const tupleGauge = ({ name, help }: { name: string; help: string }) => gauge(name, help, [...HOST_LABELS, ...TUPLE_LABELS]);
    this.hosts = gauge('portpressure_hosts', 'Hosts known to Portpressure (enrolled).');
    this.hostPressure = hostGauge(
      'portpressure_host_pressure_ratio',
      "The host's worst tuple: (used - reclaimable) / usable, in its latest snapshot.",
    );
    this.hostUsable = hostGauge(
      'portpressure_host_usable_ports',
      'Ports of the ephemeral range a connect() can get (capacity minus listeners).',
    );
    this.hostWorstUsed = hostGauge('portpressure_host_worst_tuple_used_ports', 'Ports held by the worst tuple.');
    this.hostTimeWait = hostGauge('portpressure_host_time_wait_ratio', "Share of the worst tuple's ports in TIME_WAIT.");
    this.hostExhaustion = hostGauge(
      'portpressure_host_exhaustion_seconds',
      'Seconds until the worst tuple runs out at the trend of the last 15 minutes (absent when flat or falling; 0 when overdue).',
    );
    this.hostLastSeen = hostGauge(
      'portpressure_host_last_seen_timestamp_seconds',
      'When the latest snapshot of the host was stored (Unix time).',
    );
    this.hostOnline = hostGauge('portpressure_host_online', '1 while the host reports, 0 once it missed three intervals.');
    this.agentInfo = gauge('portpressure_agent_info', 'The agent version of each host (value always 1).', [...HOST_LABELS, 'version']);
    this.tupleUsed = tupleGauge(TUPLE_METRICS.used);
    this.tupleTimeWait = tupleGauge(TUPLE_METRICS.timeWait);
    this.tupleReclaimable = tupleGauge(TUPLE_METRICS.reclaimable);
    this.tuplePressure = tupleGauge(TUPLE_METRICS.pressure);
    this.agentsConnected = gauge('portpressure_agents_connected', 'Agent WebSocket connections open on this API instance.');
    this.outboxPending = gauge('portpressure_outbox_pending_deliveries', 'Notifications waiting in the outbox (depth), by provider.', [
      'provider',
    ]);
    this.outboxFailed = gauge('portpressure_outbox_failed_deliveries', 'Notifications given up after their last attempt, by provider.', [
      'provider',
    ]);
    this.poolConnections = gauge(
      'portpressure_db_pool_connections',
      "Connections of this instance's PostgreSQL pool by state (waiting: requests queued for one).",
      ['pool', 'state'],
    );
  }

  /** Re-reads every figure; the caller renders the registry afterwards. */
  async refresh(now = Date.now()): Promise<void> {
    const [hosts, tuples, outbox] = await Promise.all([
      this.repository.hosts(),
      this.latestTuples.topTuples(this.config.metrics.topTuples),
      this.repository.outbox(),
    ]);
    for (const g of this.gauges) g.reset();

    this.hosts.set(hosts.length);
    const offlineAfterMs = offlineAfterSeconds(this.config.intervalSeconds) * 1000;
    const names = new Map<string, string>();
    for (const h of hosts) {
      const labels = { host_id: h.id, hostname: h.hostname };
      names.set(h.id, h.hostname);
      this.agentInfo.set({ ...labels, version: h.agentVersion ?? 'unknown' }, 1);
      this.hostOnline.set(labels, isOffline(h.lastSeen === null ? null : h.lastSeen * 1000, now, offlineAfterMs) ? 0 : 1);
      if (h.lastSeen !== null) this.hostLastSeen.set(labels, h.lastSeen);
      if (h.pressure !== null) this.hostPressure.set(labels, h.pressure);
      if (h.usable !== null) this.hostUsable.set(labels, h.usable);
      if (h.worstUsed !== null) {
        this.hostWorstUsed.set(labels, h.worstUsed);
        if (h.worstTimeWait !== null && h.worstUsed > 0) this.hostTimeWait.set(labels, h.worstTimeWait / h.worstUsed);
      }
      if (h.exhaustsAt !== null) this.hostExhaustion.set(labels, Math.max(0, h.exhaustsAt - now / 1000));
    }
    for (const t of tuples) {
      const labels = {
        host_id: t.hostId,
        hostname: names.get(t.hostId) ?? '',
        protocol: t.protocol,
        local_address: t.localAddress,
        remote_address: t.remoteAddress,
        remote_port: String(t.remotePort),
      };
      this.tupleUsed.set(labels, t.used);
      this.tupleTimeWait.set(labels, t.timeWait);
      this.tupleReclaimable.set(labels, t.reclaimable);
      this.tuplePressure.set(labels, t.pressure);
    }

    this.agentsConnected.set(this.connections.total());
    // every provider gets a series, 0 included, so `increase()` and alerts see a failure start
    for (const { name } of providerRegistry.list()) {
      this.outboxPending.set({ provider: name }, 0);
      this.outboxFailed.set({ provider: name }, 0);
    }
    for (const row of outbox) (row.status === 'failed' ? this.outboxFailed : this.outboxPending).set({ provider: row.provider }, row.count);
    const { pool } = this.db;
    this.poolConnections.set({ pool: 'main', state: 'total' }, pool.totalCount);
    this.poolConnections.set({ pool: 'main', state: 'idle' }, pool.idleCount);
    this.poolConnections.set({ pool: 'main', state: 'waiting' }, pool.waitingCount);
  }
}
