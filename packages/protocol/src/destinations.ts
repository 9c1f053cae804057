import * as z from 'zod';
import { countSchema as count, ipAddressSchema, remoteEndpointFields } from './wire-primitives.ts';

/** The host whose tuple to a destination is the most pressed. */
export const destinationWorstSchema = z.object({
  hostId: z.uuid(),
  hostname: z.string(),
  localAddress: ipAddressSchema,
  used: count,
  timeWait: count,
  /** That tuple's (used − reclaimable) / usable. */
  pressure: z.number().min(0).max(1),
});
export type DestinationWorst = z.infer<typeof destinationWorstSchema>;

/** One remote endpoint (TCP address and port) as the fleet's latest snapshots see it. */
export const destinationSchema = z.object({
  ...remoteEndpointFields,
  /** Hosts whose latest snapshot lists a tuple to it. */
  hosts: count,
  /** The `used` of those tuples, summed over hosts and local addresses. */
  connections: count,
  timeWait: count,
  worst: destinationWorstSchema,
});
export type Destination = z.infer<typeof destinationSchema>;

/** `GET /api/destinations`: worst pressure first, then most connections. */
export const destinationListSchema = z.object({
  /** Distinct destinations in the fleet; `destinations` holds the first `limit` of them. */
  total: count,
  /** Hosts whose latest snapshot was read (archived hosts are left out). */
  hostsReporting: count,
  destinations: z.array(destinationSchema),
});
export type DestinationList = z.infer<typeof destinationListSchema>;

/** `?limit=`: how many destinations to list. */
export const destinationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(200),
});

/**
 * A destination as written in a path: `10.0.0.5:443`, or `[2001:db8::5]:443` for IPv6. Parsed
 * into its address (canonical as the agent writes it: IPv4-mapped IPv6 becomes IPv4) and port.
 */
export const endpointSchema = z.string().transform((text, ctx) => {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  const address = match?.[1] ?? match?.[2];
  const portNumber = Number(match?.[3]);
  const parsedAddress = ipAddressSchema.safeParse(address);
  if (match === null || !parsedAddress.success || !(portNumber >= 1 && portNumber <= 65_535)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text.slice(0, 80)}" is not an endpoint: write address:port, e.g. 10.0.0.5:443 or [2001:db8::5]:443`,
    });
    return z.NEVER;
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(parsedAddress.data);
  return { remoteAddress: (mapped?.[1] ?? parsedAddress.data).toLowerCase(), remotePort: portNumber };
});

/** A limit the user set for one destination (it applies to every egress group). */
export const egressLimitSchema = z.object({
  ...remoteEndpointFields,
  limit: z.number().int().min(1),
});
export type EgressLimit = z.infer<typeof egressLimitSchema>;

/** `PUT /api/egress/limits/:endpoint`. */
export const egressLimitBodySchema = z.strictObject({
  /** Simultaneous connections one egress address may hold to this destination (AWS NAT gateway: 55,000). */
  limit: z.number().int().min(1, 'limit must be a positive whole number of connections').max(10_000_000),
});
export type EgressLimitBody = z.infer<typeof egressLimitBodySchema>;

/** A group name: what the egress label's value may be. */
export const egressGroupNameSchema = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** `PUT /api/hosts/:id/egress-group`: the group set explicitly, or null to follow the label again. */
export const egressGroupBodySchema = z.strictObject({ group: egressGroupNameSchema.nullable() });
export type EgressGroupBody = z.infer<typeof egressGroupBodySchema>;

/** The answer of `PUT /api/hosts/:id/egress-group`. */
export const hostEgressGroupSchema = z.object({
  hostId: z.uuid(),
  /** Set explicitly through the API; null when the host follows its label. */
  explicit: egressGroupNameSchema.nullable(),
  /** The group in effect: the explicit one, else the label's value, else none. */
  group: egressGroupNameSchema.nullable(),
});
export type HostEgressGroup = z.infer<typeof hostEgressGroupSchema>;

/** One destination's use by one egress group, against its limit. */
export const egressUsageSchema = z.object({
  ...remoteEndpointFields,
  /** Connections of the group's hosts to it, summed. */
  connections: count,
  /** Hosts of the group with connections to it. */
  hosts: count,
  limit: z.number().int().min(1),
  /** Whether `limit` is the default (PORTPRESSURE_EGRESS_DEFAULT_LIMIT) rather than one set for this destination. */
  defaultLimit: z.boolean(),
  /** connections / limit; above 1 when over. */
  share: z.number().min(0),
});
export type EgressUsage = z.infer<typeof egressUsageSchema>;

/** Hosts behind one egress address (one NAT gateway), and the budget of each destination they share. */
export const egressGroupSchema = z.object({
  name: egressGroupNameSchema,
  hosts: z.array(z.object({ id: z.uuid(), hostname: z.string() })),
  /** Highest share first; at most 50 per group. */
  destinations: z.array(egressUsageSchema),
});
export type EgressGroup = z.infer<typeof egressGroupSchema>;

/** `GET /api/egress`: the egress budget of every group. */
export const egressOverviewSchema = z.object({
  /** The host label whose value names a host's egress group. */
  label: z.string(),
  defaultLimit: z.number().int().min(1),
  limits: z.array(egressLimitSchema),
  /** Groups by highest share first. */
  groups: z.array(egressGroupSchema),
});
export type EgressOverview = z.infer<typeof egressOverviewSchema>;

/** Destinations listed per egress group. */
export const EGRESS_DESTINATIONS_PER_GROUP = 50;
