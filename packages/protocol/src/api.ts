import { z } from 'zod';
import { labelsSchema } from './messages.ts';
import { portRangeSchema, tupleUsageSchema } from './report.ts';

/** One host as the fleet ranking shows it (`GET /api/hosts`, live `host` frames). */
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
});
export type HostSummary = z.infer<typeof hostSummarySchema>;

/** `GET /api/hosts`: hosts ranked by pressure, highest first; hosts without data last. */
export const hostListSchema = z.object({ hosts: z.array(hostSummarySchema) });
export type HostList = z.infer<typeof hostListSchema>;

/** `DELETE /api/hosts/:id/credential`: the host's credentials are revoked and its connections closed. */
export const credentialRevokedSchema = z.object({
  hostId: z.string(),
  /** How many credentials were active and are now revoked (0 when there was none). */
  revoked: z.number().int().min(0),
});
export type CredentialRevoked = z.infer<typeof credentialRevokedSchema>;

/** API → browser on the live channel: a host's summary changed. */
export const liveHostSchema = z.object({ type: z.literal('host'), host: hostSummarySchema });
/** Every frame the API may send on the browser live channel. */
export const liveMessageSchema = z.discriminatedUnion('type', [liveHostSchema]);
export type LiveMessage = z.infer<typeof liveMessageSchema>;

/** Body of every 4xx/5xx answer of the REST API. */
export const apiErrorSchema = z.object({
  statusCode: z.number().int(),
  code: z.string(),
  message: z.string(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
