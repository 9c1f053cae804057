import type { Hello, PortReport, Snapshot, TupleUsage } from '@portpressure/protocol';
import { PROTOCOL_VERSION } from '@portpressure/protocol';

export function aTuple(overrides: Partial<TupleUsage> = {}): TupleUsage {
  const used = overrides.used ?? 50;
  const usable = 100;
  const reclaimable = overrides.reclaimable ?? 0;
  return {
    protocol: 'tcp',
    localAddress: '127.0.0.1',
    remoteAddress: '127.0.0.1',
    remotePort: 5000,
    used,
    timeWait: 0,
    reclaimable,
    pressure: (used - reclaimable) / usable,
    states: { ESTABLISHED: used },
    ...overrides,
  };
}

/** A consistent report for a 100-port range (40000-40099) whose worst tuple has `used` ports. */
export function aReport(options: { used?: number; tuples?: TupleUsage[] } = {}): PortReport {
  const tuples = options.tuples ?? [aTuple({ used: options.used ?? 50 })];
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
  };
}

export function aHello(hostname: string, machineId = `machine${hostname.replace(/[^A-Za-z0-9]/g, '')}00000000`): Hello {
  return {
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    agentVersion: 'test',
    host: { machineId: machineId.slice(0, 64), hostname, labels: { env: 'test' } },
  };
}

export function aSnapshot(seq: number, report: PortReport = aReport(), takenAt = new Date()): Snapshot {
  return { type: 'snapshot', seq, takenAt: takenAt.toISOString(), report };
}
