import type { PortReport, TupleUsage } from '@portpressure/protocol';

/** Usable ports in Linux's default ephemeral range 32768-60999. */
export const DEFAULT_RANGE_USABLE = 28_232;

/**
 * A simulated agent's report over Linux's default range with nothing reserved, 3 UDP sockets and
 * the default sysctls, holding `tuples` (worst first); the pressure is the worst tuple's unless
 * `overrides` says otherwise.
 */
export function aRangeReport(
  tuples: TupleUsage[],
  overrides: Pick<PortReport, 'hostPortsInUse' | 'tupleCount'> & Partial<PortReport>,
): PortReport {
  return {
    source: 'netlink',
    range: { low: 32768, high: 60999 },
    reservedPorts: '',
    reservedInRange: 0,
    capacity: DEFAULT_RANGE_USABLE,
    bindOwned: 0,
    usable: DEFAULT_RANGE_USABLE,
    pressure: tuples[0]?.pressure ?? 0,
    sysctls: { tcpTwReuse: 2, tcpTwReuseDelayMs: 1000, tcpTimestamps: 1, tcpFinTimeout: 60, tcpMaxTwBuckets: 262144 },
    tuples,
    udp: { used: 3, capacity: DEFAULT_RANGE_USABLE, pressure: 3 / DEFAULT_RANGE_USABLE },
    ...overrides,
  };
}
