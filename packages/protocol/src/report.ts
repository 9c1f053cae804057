import * as z from 'zod';
import { TCP_STATES } from './agent-constants.ts';

export { TCP_STATES } from './agent-constants.ts';
import { diagnosticsSchema } from './diagnostics.ts';
import {
  ipAddressSchema,
  portCountSchema as portCount,
  portSchema as port,
  ratioSchema as ratio,
  remoteEndpointFields,
} from './wire-primitives.ts';

export { ipAddressSchema, MAX_PORT } from './wire-primitives.ts';
/** Most tuples one snapshot may carry; the agent sends the worst ones first and counts the rest. */
export const MAX_TUPLES_PER_SNAPSHOT = 1000;
/** Most tuples a report may count in `tupleCount` (listed or not). */
export const MAX_TUPLE_COUNT = 10_000_000;
/** Longest `reservedPorts` text, in characters. */
export const MAX_RESERVED_PORTS_LENGTH = 4096;
/** `reservedPorts`: `ip_local_reserved_ports` as the kernel normalises it, e.g. "8080,40000-40009" (or empty). */
export const RESERVED_PORTS_PATTERN = /^(\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*)?$/;
/** Highest `net.ipv4.tcp_tw_reuse` (0 never, 1 always, 2 loopback only). */
export const MAX_TCP_TW_REUSE = 2;
/** Highest `net.ipv4.tcp_tw_reuse_delay`, in milliseconds. */
export const MAX_TCP_TW_REUSE_DELAY_MS = 600_000;
/** Highest `net.ipv4.tcp_timestamps` (0 off, 1 on with random offsets, 2 on without). */
export const MAX_TCP_TIMESTAMPS = 2;
/** Highest `net.ipv4.tcp_fin_timeout`, in seconds. */
export const MAX_TCP_FIN_TIMEOUT_SECONDS = 86_400;
/** Highest `net.ipv4.tcp_max_tw_buckets` (a C int). */
export const MAX_TCP_MAX_TW_BUCKETS = 2 ** 31 - 1;

export const tcpStateSchema = z.enum(TCP_STATES);
export type TcpState = z.infer<typeof tcpStateSchema>;

/** `net.ipv4.ip_local_port_range`: both ends inclusive. */
export const portRangeSchema = z
  .object({ low: port, high: port })
  .refine((r) => r.low <= r.high, { message: 'range.low must not exceed range.high' });
export type PortRange = z.infer<typeof portRangeSchema>;

/** The sysctls that decide how ports are handed out and recycled, read from the measured namespace. */
export const sysctlsSchema = z.object({
  /** net.ipv4.tcp_tw_reuse: 0 never, 1 always, 2 loopback only (default since Linux 4.19). */
  tcpTwReuse: z.number().int().min(0).max(MAX_TCP_TW_REUSE),
  /** net.ipv4.tcp_tw_reuse_delay in milliseconds (Linux 6.14+); null where the kernel lacks it (1000 ms fixed). */
  tcpTwReuseDelayMs: z.number().int().min(0).max(MAX_TCP_TW_REUSE_DELAY_MS).nullable(),
  /** net.ipv4.tcp_timestamps: 0 off, 1 on with random offsets, 2 on without. */
  tcpTimestamps: z.number().int().min(0).max(MAX_TCP_TIMESTAMPS),
  /** net.ipv4.tcp_fin_timeout in seconds (only orphaned FIN_WAIT2). */
  tcpFinTimeout: z.number().int().min(0).max(MAX_TCP_FIN_TIMEOUT_SECONDS),
  /** net.ipv4.tcp_max_tw_buckets: above it the kernel stops creating TIME_WAIT entries. */
  tcpMaxTwBuckets: z.number().int().min(0).max(MAX_TCP_MAX_TW_BUCKETS),
});
export type Sysctls = z.infer<typeof sysctlsSchema>;

/** Per-state socket counts of one tuple (only states present are listed). */
export const stateCountsSchema = z.partialRecord(tcpStateSchema, portCount);
export type StateCounts = z.infer<typeof stateCountsSchema>;

/** A destination tuple `(protocol, localAddress, remoteAddress, remotePort)` without its usage. */
export const tupleKeySchema = z.object({
  protocol: z.literal('tcp'),
  localAddress: ipAddressSchema,
  ...remoteEndpointFields,
});
export type TupleKey = z.infer<typeof tupleKeySchema>;

/** One destination tuple and its port usage. */
export const tupleUsageSchema = tupleKeySchema
  .extend({
    /** Client-side sockets of this tuple whose local port is in the effective range. */
    used: portCount,
    /** The part of `used` in TIME_WAIT. */
    timeWait: portCount,
    /** The part of `timeWait` that connect() may recycle right now. */
    reclaimable: portCount,
    /** (used − reclaimable) / usable. */
    pressure: ratio,
    states: stateCountsSchema,
  })
  .refine((t) => t.timeWait <= t.used, { message: 'timeWait must not exceed used', path: ['timeWait'] })
  .refine((t) => t.reclaimable <= t.timeWait, {
    message: 'reclaimable must not exceed timeWait',
    path: ['reclaimable'],
  });
export type TupleUsage = z.infer<typeof tupleUsageSchema>;

/** The UDP pool: UDP ports are exclusive, so the whole range is one pool. */
export const udpPoolSchema = z.object({
  /** Distinct UDP ports of the effective range held by connected or auto-bound sockets. */
  used: portCount,
  /** Same as the report's `capacity`. */
  capacity: portCount,
  pressure: ratio,
});
export type UdpPool = z.infer<typeof udpPoolSchema>;

/** Where the socket table was read from. */
export const SOCKET_SOURCES = ['netlink', 'proc'] as const;
export const socketSourceSchema = z.enum(SOCKET_SOURCES);
export type SocketSource = z.infer<typeof socketSourceSchema>;

/**
 * A host's port accounting at one moment, in the vocabulary of docs/domain.md. The agent computes it; the
 * API stores it; `portpressure-agent check --json` prints it.
 */
export const portReportSchema = z
  .object({
    source: socketSourceSchema,
    range: portRangeSchema,
    /** `ip_local_reserved_ports` as the kernel normalises it, e.g. "8080,40000-40009". */
    reservedPorts: z
      .string()
      .max(MAX_RESERVED_PORTS_LENGTH)
      .regex(RESERVED_PORTS_PATTERN, 'reservedPorts must be a list like "80,1000-1010"'),
    reservedInRange: portCount,
    /** high − low + 1 − reservedInRange. */
    capacity: portCount,
    /** Ports of the effective range held by LISTEN sockets. */
    bindOwned: portCount,
    /** capacity − bindOwned. */
    usable: portCount,
    /** Distinct ports of the effective range used by any TCP socket. */
    hostPortsInUse: portCount,
    /** The worst tuple's pressure (0 when there is none). */
    pressure: ratio,
    sysctls: sysctlsSchema,
    /** The worst tuples, highest pressure first. */
    tuples: z.array(tupleUsageSchema).max(MAX_TUPLES_PER_SNAPSHOT),
    /** All tuples seen, including those not listed in `tuples`. */
    tupleCount: z.number().int().min(0).max(MAX_TUPLE_COUNT),
    udp: udpPoolSchema,
    /** Who holds the tuples and what to change (docs/diagnosis.md); absent from agents that do not diagnose. */
    diagnostics: diagnosticsSchema.optional(),
  })
  .refine((r) => r.capacity === r.range.high - r.range.low + 1 - r.reservedInRange, {
    message: 'capacity must equal high − low + 1 − reservedInRange',
    path: ['capacity'],
  })
  .refine((r) => r.usable === r.capacity - r.bindOwned, {
    message: 'usable must equal capacity − bindOwned',
    path: ['usable'],
  })
  .refine((r) => r.tuples.length <= r.tupleCount, {
    message: 'tupleCount must be at least the number of tuples listed',
    path: ['tupleCount'],
  })
  .refine((r) => r.tuples.every((t) => t.used <= r.capacity), {
    message: 'a tuple cannot use more ports than the range holds',
    path: ['tuples'],
  });
export type PortReport = z.infer<typeof portReportSchema>;
