import * as z from 'zod';
import { hostSummarySchema, hostTrendSchema } from './api.ts';
import { portReportSchema, tcpStateSchema, tupleKeySchema, type TcpState } from './report.ts';

/** Pressure from which the UI colours a host amber, and advice starts (the warning threshold). */
export const PRESSURE_WARNING = 2 / 3;
/** Pressure from which the UI colours a host red. */
export const PRESSURE_CRITICAL = 0.9;

/** Most points one history series carries, whatever the span asked for. */
export const MAX_HISTORY_POINTS = 1000;
/** Longest span `GET /api/hosts/:id/history` answers. */
export const MAX_HISTORY_DAYS = 31;
/** Span answered when `from` is omitted. */
export const DEFAULT_HISTORY_HOURS = 24;

const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with a time zone, e.g. 2026-11-21T10:00:00Z' });

/** Query of `GET /api/hosts/:id/history`: `to` defaults to now, `from` to 24 h before `to`. */
export const historyQuerySchema = z.object({ from: isoTime.optional(), to: isoTime.optional() });
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** One of the span's top tuples over time, aligned with the history's `t`. */
export const tupleSeriesSchema = z.object({
  tuple: tupleKeySchema,
  /** Highest pressure of the tuple in each bucket; 0 where it was not listed (no ports held). */
  pressure: z.array(z.number()),
  /** Highest `used − reclaimable` in each bucket. */
  held: z.array(z.number().int()),
});
export type TupleSeries = z.infer<typeof tupleSeriesSchema>;

/**
 * `GET /api/hosts/:id/history`: the span cut into equal buckets (at most MAX_HISTORY_POINTS), each
 * series holding the MAXIMUM of its bucket, so a spike is never averaged away. Only buckets with
 * at least one snapshot are listed; `gaps` names the stretches where the host was offline.
 */
/**
 * Where a history answer comes from, finest first: the snapshots themselves, per-minute rollups, or
 * per-hour rollups. Each tier is kept for its own retention (PORTPRESSURE_RETENTION_*).
 */
export const HISTORY_TIERS = ['raw', 'minute', 'hour'] as const;
export const historyTierSchema = z.enum(HISTORY_TIERS);
export type HistoryTier = z.infer<typeof historyTierSchema>;

export const hostHistorySchema = z.object({
  hostId: z.string(),
  from: z.string(),
  to: z.string(),
  bucketSeconds: z.number(),
  /** The finest tier that covers the span (a newer stretch not rolled up yet is read from the next finer one). */
  tier: historyTierSchema,
  /** Start of each bucket that holds snapshots, ms since the epoch, ascending. */
  t: z.array(z.number()),
  /** Host pressure (its worst tuple's) per bucket. */
  pressure: z.array(z.number()),
  /** `used − reclaimable` of the host's worst tuple per bucket (pressure × usable). */
  held: z.array(z.number().int()),
  /** Lowest `usable` per bucket: the ceiling `held` runs into. */
  usable: z.array(z.number().int()),
  hostPortsInUse: z.array(z.number().int()),
  /** TIME_WAIT sockets of the listed tuples, summed per snapshot, highest per bucket. */
  timeWait: z.array(z.number().int()),
  /** Part of timeWait that connect() could recycle, same aggregation. */
  reclaimable: z.array(z.number().int()),
  /** Client-side sockets of the listed tuples by TCP state (summed per snapshot, highest per bucket); states never seen are left out. */
  states: z.partialRecord(tcpStateSchema, z.array(z.number().int())),
  /** The span's worst tuples (by highest pressure), worst first. */
  tuples: z.array(tupleSeriesSchema),
  /** Stretches with no snapshot for longer than the offline threshold (ms since the epoch). */
  gaps: z.array(z.object({ from: z.number(), to: z.number() })),
});
export type HostHistory = z.infer<typeof hostHistorySchema>;
export type HistoryStates = Partial<Record<TcpState, number[]>>;

/** One problem found in the latest snapshot, with a suggestion in plain words. */
export const adviceSchema = z.object({ code: z.string(), message: z.string() });
export type AdviceItem = z.infer<typeof adviceSchema>;

/** A stored report as the API gives it back: its sequence number, when it was taken, the report with its full tuple table. */
export const latestReportSchema = z.object({
  seq: z.number().int(),
  takenAt: z.string(),
  report: portReportSchema,
});
export type LatestReport = z.infer<typeof latestReportSchema>;

/** `GET /api/hosts/:id/detail`: everything the host page shows besides the history. */
export const hostDetailSchema = z.object({
  host: hostSummarySchema,
  /** The latest snapshot with its full tuple table, null before the first. */
  latest: latestReportSchema.nullable(),
  /** Last hour per minute and the exhaustion forecast, null before the first snapshot. */
  trend: hostTrendSchema.nullable(),
  /** Advice derived from the latest snapshot (empty when nothing stands out). */
  advice: z.array(adviceSchema),
  /** The server's clock when answering (ISO 8601), so the browser can judge "offline" without trusting its own. */
  serverTime: z.string(),
  /** A host is offline once it has been silent this long. */
  offlineAfterSeconds: z.number().int(),
});
export type HostDetail = z.infer<typeof hostDetailSchema>;
