import * as z from 'zod';
import { fleetTupleSchema } from './fleet.ts';
import { adviceSchema, hostHistorySchema, latestReportSchema } from './history.ts';
import { namespaceContainerSchema, namespaceInodeSchema, namespacePodSchema } from './namespaces.ts';

/*
 * REST answers about the network namespaces of hosts (containers, pods, `ip netns`): a host's
 * namespaces, one namespace's latest report and history, and the fleet's workloads. The host's own
 * namespace is what every host endpoint already describes; here it appears as the namespace "host"
 * so a picker can list it with the others.
 */

/** Namespace id of the agent's own namespace (the host's), in every URL and answer below. */
export const HOST_NAMESPACE_ID = 'host';

/**
 * How a namespace is named in URLs (`/api/hosts/:id/namespaces/:namespaceId`): "host", or the
 * decimal number the API gave it on that host. A namespace is identified by its inode and when it
 * was first seen (inodes are reused once a namespace is gone), so the number of a gone namespace
 * never passes to a new one.
 */
export const namespaceIdSchema = z.union([
  z.literal(HOST_NAMESPACE_ID),
  z.string().regex(/^[1-9][0-9]{0,9}$/, 'a namespace id is "host" or a positive number'),
]);
export type NamespaceId = z.infer<typeof namespaceIdSchema>;

/** One network namespace of a host as the namespace picker and the Workloads page list it. */
export const hostNamespaceSchema = z.object({
  id: namespaceIdSchema,
  /** Its nsfs inode; null for the host's own namespace until a version 2 agent reported it. */
  inode: namespaceInodeSchema.nullable(),
  /** True for the agent's own namespace (id "host"). */
  host: z.boolean(),
  /** Its `ip netns` name, if any. */
  name: z.string().nullable(),
  /** The Kubernetes pod it belongs to, if any (name, namespace, uid as the node knows them). */
  pod: namespacePodSchema.nullable(),
  /** Containers with processes in it, as last reported. */
  containers: z.array(namespaceContainerSchema),
  /** A short name for people: "host", "pod shop/cart-7d9", "docker web", "netns blue", "netns [4026532281]". */
  label: z.string(),
  /** When the API first stored a report of it (ISO 8601). */
  firstSeenAt: z.string(),
  /** When the API last stored a report of it (ISO 8601), null before the first. */
  lastSeenAt: z.string().nullable(),
  /** When a snapshot of its host first came without it (ISO 8601); null while it exists. */
  goneAt: z.string().nullable(),
  /** goneAt is set: the namespace no longer exists; its history stays readable until retention drops it. */
  gone: z.boolean(),
  /** Its worst tuple's (used − reclaimable) / usable in its latest report, null before the first. */
  pressure: z.number().nullable(),
  usable: z.number().int().nullable(),
  tupleCount: z.number().int().nullable(),
  /** Its worst tuple in its latest report, if any. */
  worst: fleetTupleSchema.nullable(),
});
export type HostNamespace = z.infer<typeof hostNamespaceSchema>;

/** Query of `GET /api/hosts/:id/namespaces`: `gone=true` lists gone namespaces as well (after the others). */
export const hostNamespacesQuerySchema = z.object({
  gone: z.enum(['true', 'false'], { message: 'gone must be true or false' }).optional(),
});
export type HostNamespacesQuery = z.infer<typeof hostNamespacesQuerySchema>;

/**
 * `GET /api/hosts/:id/namespaces`: the host's namespaces, the host's own included (id "host"),
 * worst first (highest pressure; namespaces without a report after those with one); with
 * `?gone=true` the gone ones follow, most recently gone first.
 */
export const hostNamespacesSchema = z.object({
  hostId: z.string(),
  /** The server's clock when answering (ISO 8601). */
  serverTime: z.string(),
  namespaces: z.array(hostNamespaceSchema),
});
export type HostNamespaces = z.infer<typeof hostNamespacesSchema>;

/**
 * `GET /api/hosts/:id/namespaces/:namespaceId`: one namespace and its latest report (a gone one
 * keeps its last report and says `gone: true`). For "host" it is the host's own latest snapshot.
 */
export const namespaceDetailSchema = z.object({
  hostId: z.string(),
  namespace: hostNamespaceSchema,
  /** Its latest stored report with the full tuple table, null before the first. */
  latest: latestReportSchema.nullable(),
  /** Advice derived from the latest report (empty when nothing stands out). */
  advice: z.array(adviceSchema),
  /** The server's clock when answering (ISO 8601). */
  serverTime: z.string(),
});
export type NamespaceDetail = z.infer<typeof namespaceDetailSchema>;

/**
 * `GET /api/hosts/:id/namespaces/:namespaceId/history?from&to`: the namespace's history in exactly
 * the shape, buckets and tiers of `GET /api/hosts/:id/history` (same query and limits), plus which
 * namespace it is. For "host" it is the host's own history.
 */
export const namespaceHistorySchema = hostHistorySchema.extend({ namespaceId: namespaceIdSchema });
export type NamespaceHistory = z.infer<typeof namespaceHistorySchema>;

/** Most rows `GET /api/workloads` answers. */
export const MAX_WORKLOADS = 5000;
/** Rows `GET /api/workloads` answers when `limit` is omitted. */
export const DEFAULT_WORKLOADS = 1000;

/** Query of `GET /api/workloads`: at most `limit` rows (1 … MAX_WORKLOADS, default DEFAULT_WORKLOADS). */
export const workloadsQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,5}$/, `limit must be a number from 1 to ${MAX_WORKLOADS}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_WORKLOADS, `limit must be a number from 1 to ${MAX_WORKLOADS}`)
    .optional(),
});
export type WorkloadsQuery = z.infer<typeof workloadsQuerySchema>;

/** One workload: a namespace other than a host's own (a pod, a container, an `ip netns`), with its host. */
export const workloadSchema = hostNamespaceSchema.extend({
  hostId: z.string(),
  hostname: z.string(),
});
export type Workload = z.infer<typeof workloadSchema>;

/**
 * `GET /api/workloads`: the namespaces of every host that exist now (not gone, the hosts' own
 * namespaces and archived hosts left out), highest pressure first, across the fleet.
 */
export const workloadsSchema = z.object({
  /** The server's clock when answering (ISO 8601). */
  serverTime: z.string(),
  /** A workload's host is offline once it has been silent this long. */
  offlineAfterSeconds: z.number().int(),
  /** Workloads in the fleet (the list holds the first `limit`). */
  total: z.number().int().min(0),
  workloads: z.array(workloadSchema),
});
export type Workloads = z.infer<typeof workloadsSchema>;
