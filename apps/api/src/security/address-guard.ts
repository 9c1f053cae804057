import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { lookup as dnsLookupAll } from 'node:dns/promises';

/**
 * Where webhooks may not go unless the operator names the address in PORTPRESSURE_WEBHOOK_ALLOW:
 * the API's own host and everything beside it that an outsider could not reach (loopback,
 * private, carrier-grade NAT, link-local with the clouds' metadata service, multicast, reserved).
 * A webhook URL is typed by whoever configures a channel; without this it is a way to make the
 * API talk to its own database port or the instance metadata service on their behalf.
 */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv4');
}
// IPv4-mapped addresses (::ffff:0:0/96) are not listed: BlockList applies such a rule to every
// IPv4 address too. They are judged by the IPv4 address inside (mappedIpv4).
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 of any IPv4 address, private ones included
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

/** Addresses (single, or CIDR subnets) an operator allows webhooks to reach despite FORBIDDEN. */
export interface AddressAllowlist {
  readonly entries: readonly string[];
  readonly list: BlockList;
}

/** Parses `127.0.0.1, 10.0.0.0/8, ::1` (comma or space separated); throws naming a bad entry. */
export function parseAddressAllowlist(value: string): AddressAllowlist {
  const list = new BlockList();
  const entries = value.split(/[\s,]+/).filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max || prefix === '') {
      throw new Error(`"${entry}" is not an IP address or CIDR subnet (e.g. 10.1.2.3, 10.0.0.0/8, fd00::/8)`);
    }
    list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return { entries, list };
}

export const EMPTY_ALLOWLIST: AddressAllowlist = parseAddressAllowlist('');

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:7f00:1`, `::ffff:127.0.0.1`), if it is one. */
function mappedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why an address may not be a webhook target, or undefined when it may. */
export function refusedAddressReason(address: string, allow: AddressAllowlist): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return `${address} is not an IP address`;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (allow.list.check(bare, type)) return undefined;
  const inner = family === 6 ? mappedIpv4(bare) : undefined;
  if (inner !== undefined && allow.list.check(inner, 'ipv4')) return undefined;
  if (FORBIDDEN.check(bare, type) || (inner !== undefined && FORBIDDEN.check(inner, 'ipv4'))) {
    return (
      `${bare} is a loopback, private, link-local or otherwise internal address; ` +
      'webhooks may reach it only if PORTPRESSURE_WEBHOOK_ALLOW names it'
    );
  }
  return undefined;
}

/** Raised (as a connect error) when a webhook would reach a refused address. */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net.connect that refuses internal answers. It runs when the connection is made,
 * for every connection, so a name that resolved to a public address when the channel was saved
 * and to 127.0.0.1 now (DNS rebinding) is refused now. Every answer must pass, not just one.
 */
export function guardedLookup(allow: AddressAllowlist) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const a of addresses) {
        const reason = refusedAddressReason(a.address, allow);
        if (reason !== undefined) return callback(new AddressRefusedError(`${hostname} resolves to ${reason}`), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * The reason to refuse a name whose addresses are internal, resolved now; undefined when every
 * answer is allowed, or when this machine cannot resolve the name (a proxy that can will decide).
 */
export async function resolvedAddressRefusal(hostname: string, allow: AddressAllowlist): Promise<string | undefined> {
  let addresses: LookupAddress[];
  try {
    addresses = await dnsLookupAll(hostname, { all: true });
  } catch {
    return undefined;
  }
  for (const a of addresses) {
    const reason = refusedAddressReason(a.address, allow);
    if (reason !== undefined) return `${hostname} resolves to ${reason}`;
  }
  return undefined;
}

/**
 * Save-time check of a webhook URL: a literal address (in any form the URL parser accepts:
 * `2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]` all arrive here normalized) or a `localhost` name
 * that is not allowed is refused while the operator is still looking at the form. Names are
 * resolved and checked when each connection is made (guardedLookup), since their answers can
 * change after saving.
 */
export function webhookTargetRefusal(url: string, allow: AddressAllowlist): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // the URL schema reports it
  }
  // `localhost.` is `localhost`: a trailing dot only makes the name fully qualified.
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase();
  if (isIP(host) !== 0) return refusedAddressReason(host, allow);
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return refusedAddressReason('127.0.0.1', allow) === undefined
      ? undefined
      : `${host} is this machine; webhooks may reach it only if PORTPRESSURE_WEBHOOK_ALLOW names 127.0.0.1`;
  }
  return undefined;
}
