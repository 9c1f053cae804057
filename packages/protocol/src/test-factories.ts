import type { AlertRule } from './alerts.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { FleetHostRow } from './fleet.ts';
import type { PortReport, TupleUsage } from './report.ts';
import type { HostNamespace, Workload } from './workloads.ts';

/**
 * Test data shared by every tier (protocol and API specs, API database and end-to-end tests):
 * one tuple of a 100-port range, a consistent report over 40000-40099 holding the tuples, and an
 * alert rule, a fleet row, and a pod's namespace as the host page and the Workloads page list it.
 */

export function aTuple(overrides: Partial<TupleUsage> = {}): TupleUsage {
  const used = overrides.used ?? 50;
  const reclaimable = overrides.reclaimable ?? 0;
  return {
    protocol: 'tcp',
    localAddress: '127.0.0.1',
    remoteAddress: '127.0.0.1',
    remotePort: 5000,
    used,
    timeWait: 0,
    reclaimable,
    pressure: (used - reclaimable) / 100,
    states: { ESTABLISHED: used },
    ...overrides,
  };
}

/**
 * A tuple from 10.0.0.1 to 10.0.0.5:`remotePort` holding `used` ports, `timeWait` of them in
 * TIME_WAIT and `reclaimable` of those reusable now, at (used − reclaimable) / `usable` pressure.
 */
export function aTupleTo(remotePort: number, used: number, { timeWait = 0, reclaimable = 0, usable = 100 } = {}): TupleUsage {
  return aTuple({
    localAddress: '10.0.0.1',
    remoteAddress: '10.0.0.5',
    remotePort,
    used,
    timeWait,
    reclaimable,
    pressure: Math.min(1, (used - reclaimable) / usable),
    states: timeWait ? { ESTABLISHED: used - timeWait, TIME_WAIT: timeWait } : { ESTABLISHED: used },
  });
}

/** A consistent report for a 100-port range (40000-40099) holding `tuples`, worst first. */
export function aPortReport(tuples: TupleUsage[] = [aTuple()], overrides: Partial<PortReport> = {}): PortReport {
  return {
    source: 'proc',
    range: { low: 40000, high: 40099 },
    reservedPorts: '',
    reservedInRange: 0,
    capacity: 100,
    bindOwned: 0,
    usable: 100,
    hostPortsInUse: tuples.reduce((n, t) => Math.max(n, t.used), 0),
    pressure: tuples[0]?.pressure ?? 0,
    sysctls: { tcpTwReuse: 2, tcpTwReuseDelayMs: 1000, tcpTimestamps: 1, tcpFinTimeout: 60, tcpMaxTwBuckets: 262144 },
    tuples,
    tupleCount: tuples.length,
    udp: { used: 0, capacity: 100, pressure: 0 },
    ...overrides,
  };
}

/**
 * Diagnostics of a report made by `aPortReport([aTuple()])`: its tuple held by one process and
 * churning, a masquerading namespace with one SNAT pool, conntrack and kernel counter deltas.
 */
export function aDiagnostics(overrides: Partial<Diagnostics> = {}): Diagnostics {
  return {
    intervalSeconds: 10,
    attributedAt: '2026-11-21T10:00:00.000Z',
    tuples: [
      {
        localAddress: '127.0.0.1',
        remoteAddress: '127.0.0.1',
        remotePort: 5000,
        processes: [{ pid: 4242, command: 'client', user: 'app', uid: 1000, container: null, podUid: null, sockets: 50 }],
        unattributedSockets: 0,
        churn: { newPerSecond: 12.5, timeWaitInflowPerSecond: 12, timeWaitShare: 0.9 },
        verdicts: [
          {
            code: 'churn-without-pooling',
            text: 'churn without pooling: 12.5 new connections/s, 90 % TIME_WAIT',
            advice: ['reuse connections: a pool or HTTP keep-alive'],
          },
        ],
      },
    ],
    verdicts: [],
    conntrack: { count: 120, max: 262144, insertFailed: 0, drop: 0, earlyDrop: 0 },
    snat: {
      portRange: { low: 40000, high: 40099 },
      pools: [{ translatedAddress: '10.0.0.1', remoteAddress: '10.0.1.2', remotePort: 5000, portsInUse: 30, capacity: 100, pressure: 0.3 }],
      poolCount: 1,
    },
    kernel: [
      { name: 'TWRecycled', delta: 0 },
      { name: 'ActiveOpens', delta: 125 },
    ],
    ...overrides,
  };
}

/** A stored alert rule: by default an enabled, unscoped offline rule (60 s) notifying every channel. */
export function anAlertRule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    name: 'r',
    kind: 'offline',
    severity: 'warning',
    enabled: true,
    scope: { hostId: null, labels: {} },
    channelIds: [],
    repeatIntervalSeconds: 0,
    params: { afterSeconds: 60 },
    createdAt: '2026-05-01T10:00:00Z',
    updatedAt: '2026-05-01T10:00:00Z',
    condition: '',
    ...overrides,
  };
}

/** A small deterministic PRNG (mulberry32) for generated test inputs, so a failure can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A fleet row of a host whose own namespace is the worst (no worstNamespace), at 50 %. */
export function aFleetHostRow(overrides: Partial<FleetHostRow> = {}): FleetHostRow {
  const { pressure, states, protocol, ...worst } = aTuple();
  return {
    id: 'h1',
    hostname: 'node-1',
    labels: {},
    lastSeenAt: '2026-05-01T10:00:00Z',
    pressure,
    usable: 100,
    worst,
    trend: null,
    agentVersion: null,
    worstNamespace: null,
    ...overrides,
  };
}

/** A pod's network namespace (id "7") at 90 %, with one container, still existing. */
export function aHostNamespace(overrides: Partial<HostNamespace> = {}): HostNamespace {
  const { pressure, states, protocol, ...worst } = aTuple({ used: 90 });
  return {
    id: '7',
    inode: 4026532281,
    host: false,
    name: null,
    pod: { name: 'cart-7d9f', namespace: 'shop', uid: null },
    containers: [{ runtime: 'containerd', id: 'a'.repeat(64), name: 'cart' }],
    label: 'pod shop/cart-7d9f',
    firstSeenAt: '2026-05-01T09:00:00Z',
    lastSeenAt: '2026-05-01T10:00:00Z',
    goneAt: null,
    gone: false,
    pressure,
    usable: 100,
    tupleCount: 1,
    worst,
    ...overrides,
  };
}

/** aHostNamespace as a row of the Workloads page, on host "h1" (node-1). */
export function aWorkload(overrides: Partial<Workload> = {}): Workload {
  return { ...aHostNamespace(), hostId: 'h1', hostname: 'node-1', ...overrides };
}
