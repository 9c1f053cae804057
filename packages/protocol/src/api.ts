import * as z from 'zod';
import { fleetWorstNamespaceFiguresSchema } from './fleet.ts';
import { labelsSchema } from './messages.ts';
import { portRangeSchema, tupleUsageSchema } from './report.ts';

/** One host's summary (`GET /api/hosts/:id`, live `host` frames). */
export const hostSummarySchema = z.object({
  id: z.string(),
  machineId: z.string(),
  hostname: z.string(),
  labels: labelsSchema,
  /** When the API last stored a snapshot from this host (ISO 8601), null before the first. */
  lastSeenAt: z.string().nullable(),
  /** True when the host missed three reporting intervals. */
  offline: z.boolean(),
  /** The worst tuple's pressure in the latest snapshot, null before the first. */
  pressure: z.number().nullable(),
  range: portRangeSchema.nullable(),
  capacity: z.number().int().nullable(),
  usable: z.number().int().nullable(),
  bindOwned: z.number().int().nullable(),
  hostPortsInUse: z.number().int().nullable(),
  tupleCount: z.number().int().nullable(),
  /** The worst tuple of the latest snapshot, if any. */
  worstTuple: tupleUsageSchema.nullable(),
  /**
   * Snapshots the host's agent measured but dropped from its full spool during an outage (agent
   * `gap` frames), so they will never arrive: a hole in the history, counted rather than hidden.
   */
  droppedSnapshots: z.number().int().min(0),
  /** Whether the host holds a credential that is not revoked (it can connect and report). */
  credentialActive: z.boolean(),
  /** The version its agent last reported (null before it did); compare with RELEASE_VERSION. */
  agentVersion: z.string().nullable().optional(),
});
export type HostSummary = z.infer<typeof hostSummarySchema>;

/**
 * A host's last hour at one-minute resolution and the forecast drawn from it. Kept on the host's
 * row and refreshed as snapshots arrive, so the fleet ranking reads it without touching history.
 */
export const hostTrendSchema = z.object({
  /** Start of the first minute (ms since the epoch). */
  start: z.number(),
  stepSeconds: z.number().int().min(1),
  /** Highest pressure of each minute; null where no snapshot arrived. */
  pressure: z.array(z.number().nullable()),
  /** Growth of the worst tuple's `used − reclaimable` in ports per second (least squares, trailing 15 minutes). */
  slopePerSecond: z.number(),
  /** When `used − reclaimable` reaches `usable` at that rate (ISO 8601); null when flat or falling. */
  exhaustsAt: z.string().nullable(),
  /** The `usable` of the newest snapshot, the ceiling of the forecast. */
  usable: z.number().int().min(0),
});
export type HostTrend = z.infer<typeof hostTrendSchema>;

/** `DELETE /api/hosts/:id/credential`: the host's credentials are revoked and its connections closed. */
export const credentialRevokedSchema = z.object({
  hostId: z.string(),
  /** How many credentials were active and are now revoked (0 when there was none). */
  revoked: z.number().int().min(0),
});
export type CredentialRevoked = z.infer<typeof credentialRevokedSchema>;

/** `DELETE /api/hosts/:id`: the host is gone with its history, credentials and incidents. */
export const hostDeletedSchema = z.object({
  hostId: z.string(),
  deleted: z.literal(true),
});
export type HostDeleted = z.infer<typeof hostDeletedSchema>;

/** API → browser on the live channel: a host's summary changed. */
export const liveHostSchema = z.object({
  type: z.literal('host'),
  /** The host's own namespace. */
  host: hostSummarySchema,
  /**
   * For a host whose agent reports every namespace (version 2): its worst other namespace now, null
   * when it has none. The fleet row ranks by whichever of it and `host` is under more pressure, as
   * `GET /api/fleet` does. Absent for version 1 agents.
   */
  worstNamespace: fleetWorstNamespaceFiguresSchema.nullable().optional(),
});
/** API → browser on the live channel: a host's trend (sparkline, forecast) was refreshed. */
export const liveTrendSchema = z.object({ type: z.literal('trend'), hostId: z.string(), trend: hostTrendSchema });
/** Every frame the API may send on the browser live channel. */
export const liveMessageSchema = z.discriminatedUnion('type', [liveHostSchema, liveTrendSchema]);
export type LiveMessage = z.infer<typeof liveMessageSchema>;

/** Body of every 4xx/5xx answer of the REST API. */
export const apiErrorSchema = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
