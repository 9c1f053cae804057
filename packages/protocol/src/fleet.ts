import * as z from 'zod';
import { labelsSchema } from './messages.ts';
import { namespaceInodeSchema, namespacePodSchema } from './namespaces.ts';
import { countSchema, ipAddressSchema, remoteEndpointFields } from './wire-primitives.ts';

/**
 * Characters of an encoded sparkline, lowest level first: one character per minute holds the
 * minute's highest pressure in 64 levels (1.6 % steps, finer than a 22-pixel line can show).
 */
export const SPARKLINE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
/** A minute without any snapshot. */
export const SPARKLINE_GAP = '.';

/** Pressures (0…1, null for no data) → one character each. */
export function encodeSparkline(values: (number | null)[]): string {
  const top = SPARKLINE_ALPHABET.length - 1;
  return values.map((v) => (v === null ? SPARKLINE_GAP : SPARKLINE_ALPHABET[Math.round(Math.min(1, Math.max(0, v)) * top)])).join('');
}

/** The inverse of encodeSparkline, to the nearest level. */
export function decodeSparkline(encoded: string): (number | null)[] {
  const top = SPARKLINE_ALPHABET.length - 1;
  return [...encoded].map((c) => (c === SPARKLINE_GAP ? null : Math.max(0, SPARKLINE_ALPHABET.indexOf(c)) / top));
}

/** The worst tuple as the fleet shows it (no per-state counts). */
export const fleetTupleSchema = z.object({
  localAddress: ipAddressSchema,
  ...remoteEndpointFields,
  used: countSchema,
  timeWait: countSchema,
  reclaimable: countSchema,
});
export type FleetTuple = z.infer<typeof fleetTupleSchema>;

/** A tuple's figures as the fleet shows them (its addresses, port and counts; no states or pressure). */
export function toFleetTuple(t: FleetTuple): FleetTuple {
  return {
    localAddress: t.localAddress,
    remoteAddress: t.remoteAddress,
    remotePort: t.remotePort,
    used: t.used,
    timeWait: t.timeWait,
    reclaimable: t.reclaimable,
  };
}

/** The last hour and the forecast, compact: the minutes as an encoded sparkline. */
export const fleetTrendSchema = z.object({
  /** Start of the sparkline's first minute (ms since the epoch); one character per minute. */
  start: z.number(),
  sparkline: z.string().regex(/^[0-9A-Za-z_.-]*$/),
  slopePerSecond: z.number(),
  exhaustsAt: z.string().nullable(),
});
export type FleetTrend = z.infer<typeof fleetTrendSchema>;

/** The namespace (pod, container, `ip netns`) a fleet row's figures come from, when not the host's own. */
export const fleetWorstNamespaceSchema = z.object({
  /** Its id on the host, for `GET /api/hosts/:id/namespaces/:namespaceId`. */
  id: z.string(),
  inode: namespaceInodeSchema,
  /** A short name for people, e.g. "pod shop/cart-7d9" (see hostNamespaceSchema). */
  label: z.string(),
  pod: namespacePodSchema.nullable(),
  /** The name of its first named container, if any. */
  container: z.string().nullable(),
});
export type FleetWorstNamespace = z.infer<typeof fleetWorstNamespaceSchema>;

/** A host's worst other namespace with the figures a fleet row shows for it (live `host` frames). */
export const fleetWorstNamespaceFiguresSchema = fleetWorstNamespaceSchema.extend({
  pressure: z.number(),
  usable: z.number().int(),
  worst: fleetTupleSchema.nullable(),
});
export type FleetWorstNamespaceFigures = z.infer<typeof fleetWorstNamespaceFiguresSchema>;

/**
 * One host of the fleet ranking: what its row shows, nothing more. A host ranks by its worst
 * network namespace: `pressure`, `usable` and `worst` are that namespace's, and `worstNamespace`
 * says which when it is not the host's own (null or absent: the host's own namespace is the worst,
 * or the agent reports no others). `trend` is always the host's own namespace.
 */
export const fleetHostRowSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  labels: labelsSchema,
  /** When the API last stored a snapshot from this host (ISO 8601), null before the first. */
  lastSeenAt: z.string().nullable(),
  /** The worst tuple's (used − reclaimable) / usable in the host's worst namespace, null before the first snapshot. */
  pressure: z.number().nullable(),
  usable: z.number().int().nullable(),
  worst: fleetTupleSchema.nullable(),
  trend: fleetTrendSchema.nullable(),
  /** The version its agent last reported (null before it did); older than the server's is flagged. */
  agentVersion: z.string().nullable().optional(),
  /** The namespace `pressure`, `usable` and `worst` come from, when it is not the host's own. */
  worstNamespace: fleetWorstNamespaceSchema.nullable().optional(),
});
export type FleetHostRow = z.infer<typeof fleetHostRowSchema>;

/**
 * `GET /api/fleet`: the fleet ranking, highest pressure first, with what the ranking page shows
 * of each host (`GET /api/hosts/:id` has a host's full summary). Served from a projection the API
 * keeps in memory and refreshes from change notifications, so its cost does not grow with history.
 */
export const fleetSchema = z.object({
  /** The server's clock when answering (ISO 8601): "offline" is judged against it, not the browser's. */
  serverTime: z.string(),
  /** A host is offline once it has been silent this long. */
  offlineAfterSeconds: z.number().int(),
  hosts: z.array(fleetHostRowSchema),
});
export type Fleet = z.infer<typeof fleetSchema>;

/**
 * GET /api/fleet with its rows left unchecked: a browser checks the envelope at once and the
 * 10,000 rows against fleetHostRowSchema in small chunks, so validation never delays the first rows.
 */
export const fleetEnvelopeSchema = fleetSchema.extend({ hosts: z.array(z.unknown()) });
export type FleetEnvelope = z.infer<typeof fleetEnvelopeSchema>;
