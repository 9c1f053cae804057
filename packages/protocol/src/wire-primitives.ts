import * as z from 'zod';

// The small schemas the wire formats are built from, in a file that imports no other protocol
// file: report.ts imports diagnostics.ts, so diagnostics.ts could not import them from there
// (the cycle would leave them undefined).

/** Highest TCP/UDP port number. */
export const MAX_PORT = 65535;

/** An IPv4 or IPv6 address in text form. IPv4-mapped IPv6 addresses are written as IPv4. */
export const ipAddressSchema = z.union([z.ipv4(), z.ipv6()]);

/** A TCP or UDP port number. */
export const portSchema = z.number().int().min(1).max(MAX_PORT);

/** A count of ports or sockets: a port pool never exceeds 65,535 entries. */
export const portCountSchema = z.number().int().min(0).max(MAX_PORT);

/** A ratio in [0, 1] (pressure may exceed 1 only through rounding, so it is capped at 1). */
export const ratioSchema = z.number().min(0).max(1);

/** A whole number of things (hosts, connections, sockets) without an upper bound. */
export const countSchema = z.number().int().min(0);

/** A time in ISO 8601 with its offset, e.g. 2026-11-21T10:00:00.000Z. */
export const isoTimeSchema = z.iso.datetime({ offset: true });

/** The far end of a tuple or a destination: its address and TCP port. */
export const remoteEndpointFields = { remoteAddress: ipAddressSchema, remotePort: portSchema };
