import type { Destination, DestinationList, EgressUsage } from '@portpressure/protocol';

/** One listed tuple of a host's latest snapshot, as far as destinations care. */
export interface HostTupleFigures {
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
  used: number;
  timeWait: number;
  pressure: number;
}

/** A host's latest snapshot as the projection keeps it. */
export interface HostDestinations {
  hostId: string;
  hostname: string;
  /** Its egress group in effect (explicit, else its label), or null. */
  group: string | null;
  tuples: readonly HostTupleFigures[];
}

/** One host's share of one destination: its tuples to it summed, and the most pressed of them. */
interface Contribution {
  hostId: string;
  hostname: string;
  used: number;
  timeWait: number;
  worstLocalAddress: string;
  worstUsed: number;
  worstTimeWait: number;
  worstPressure: number;
}

interface HostEntry {
  hostname: string;
  group: string | null;
  contributions: Map<string, Contribution>;
}

/** A destination's use by one egress group before limits apply. */
export interface GroupDestinationSum {
  remoteAddress: string;
  remotePort: number;
  connections: number;
  hosts: number;
}

/** One egress group's members and sums; `anchorHostId` (its smallest host id) holds its incidents. */
export interface EgressGroupSums {
  name: string;
  anchorHostId: string;
  hosts: { id: string; hostname: string }[];
  destinations: GroupDestinationSum[];
}

/** One egress group's destinations against their limits, highest share first. */
export interface EgressGroupUsage extends Omit<EgressGroupSums, 'destinations'> {
  destinations: EgressUsage[];
}

/** `address|port`: a destination inside the projection's maps and in limit lookups. */
export function destinationKey(remoteAddress: string, remotePort: number): string {
  return `${remoteAddress}|${remotePort}`;
}

function splitKey(key: string): { remoteAddress: string; remotePort: number } {
  const cut = key.lastIndexOf('|');
  return { remoteAddress: key.slice(0, cut), remotePort: Number(key.slice(cut + 1)) };
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Worst pressure first, then most connections, most hosts, then address and port (a stable order). */
export function compareDestinations(a: Destination, b: Destination): number {
  return (
    b.worst.pressure - a.worst.pressure ||
    b.connections - a.connections ||
    b.hosts - a.hosts ||
    byText(a.remoteAddress, b.remoteAddress) ||
    a.remotePort - b.remotePort
  );
}

/** The more pressed of two contributions: higher pressure, then more used, then hostname. */
function worse(a: Contribution, b: Contribution): boolean {
  if (a.worstPressure !== b.worstPressure) return a.worstPressure > b.worstPressure;
  if (a.worstUsed !== b.worstUsed) return a.worstUsed > b.worstUsed;
  return a.hostname < b.hostname;
}

/**
 * The fleet's destinations, kept up to date host by host: each host's latest snapshot is folded
 * into per-destination contributions, so a new snapshot touches only its own destinations and a
 * request re-aggregates only the destinations that changed since the last one. Pure: the cache
 * service feeds it from the database.
 */
export class DestinationsProjection {
  private readonly hosts = new Map<string, HostEntry>();
  private readonly byDestination = new Map<string, Map<string, Contribution>>();
  private readonly aggregates = new Map<string, Destination>();
  private readonly dirty = new Set<string>();
  private ranked: Destination[] | null = [];
  private groupSums: EgressGroupSums[] | null = [];

  get hostCount(): number {
    return this.hosts.size;
  }

  /** Replaces what the projection knows of one host. */
  put(host: HostDestinations): void {
    this.remove(host.hostId);
    const contributions = new Map<string, Contribution>();
    for (const t of host.tuples) {
      const key = destinationKey(t.remoteAddress, t.remotePort);
      const c = contributions.get(key);
      const candidate: Contribution = {
        hostId: host.hostId,
        hostname: host.hostname,
        used: t.used,
        timeWait: t.timeWait,
        worstLocalAddress: t.localAddress,
        worstUsed: t.used,
        worstTimeWait: t.timeWait,
        worstPressure: t.pressure,
      };
      if (c === undefined) {
        contributions.set(key, candidate);
        continue;
      }
      c.used += t.used;
      c.timeWait += t.timeWait;
      if (worse(candidate, c)) {
        c.worstLocalAddress = t.localAddress;
        c.worstUsed = t.used;
        c.worstTimeWait = t.timeWait;
        c.worstPressure = t.pressure;
      }
    }
    this.hosts.set(host.hostId, { hostname: host.hostname, group: host.group, contributions });
    for (const [key, c] of contributions) {
      let byHost = this.byDestination.get(key);
      if (byHost === undefined) this.byDestination.set(key, (byHost = new Map()));
      byHost.set(host.hostId, c);
      this.dirty.add(key);
    }
    this.changed();
  }

  /**
   * Changes a host's name or group without re-reading its tuples (its snapshot did not change);
   * false when the projection does not hold the host.
   */
  retag(hostId: string, hostname: string, group: string | null): boolean {
    const entry = this.hosts.get(hostId);
    if (entry === undefined) return false;
    if (entry.hostname === hostname && entry.group === group) return true;
    entry.hostname = hostname;
    entry.group = group;
    for (const [key, c] of entry.contributions) {
      c.hostname = hostname;
      this.dirty.add(key);
    }
    this.changed();
    return true;
  }

  remove(hostId: string): void {
    const entry = this.hosts.get(hostId);
    if (entry === undefined) return;
    this.hosts.delete(hostId);
    for (const key of entry.contributions.keys()) {
      const byHost = this.byDestination.get(key);
      byHost?.delete(hostId);
      if (byHost?.size === 0) this.byDestination.delete(key);
      this.dirty.add(key);
    }
    this.changed();
  }

  /** Only these hosts are left, each as given. */
  replaceAll(hosts: readonly HostDestinations[]): void {
    const keep = new Set(hosts.map((h) => h.hostId));
    for (const id of [...this.hosts.keys()]) if (!keep.has(id)) this.remove(id);
    for (const h of hosts) this.put(h);
  }

  /** The first `limit` destinations, worst pressure first. */
  ranking(limit: number): DestinationList {
    if (this.ranked === null) {
      for (const key of this.dirty) this.aggregate(key);
      this.dirty.clear();
      this.ranked = [...this.aggregates.values()].sort(compareDestinations);
    }
    return { total: this.ranked.length, hostsReporting: this.hosts.size, destinations: this.ranked.slice(0, limit) };
  }

  /** Every egress group with its members and its connections per destination, by name. */
  egressSums(): EgressGroupSums[] {
    if (this.groupSums !== null) return this.groupSums;
    const groups = new Map<string, { hosts: { id: string; hostname: string }[]; sums: Map<string, GroupDestinationSum> }>();
    for (const [id, entry] of this.hosts) {
      if (entry.group === null) continue;
      let g = groups.get(entry.group);
      if (g === undefined) groups.set(entry.group, (g = { hosts: [], sums: new Map() }));
      g.hosts.push({ id, hostname: entry.hostname });
      for (const [key, c] of entry.contributions) {
        const sum = g.sums.get(key);
        if (sum === undefined) g.sums.set(key, { ...splitKey(key), connections: c.used, hosts: 1 });
        else {
          sum.connections += c.used;
          sum.hosts += 1;
        }
      }
    }
    this.groupSums = [...groups]
      .map(([name, g]) => ({
        name,
        anchorHostId: g.hosts.map((h) => h.id).sort(byText)[0]!,
        hosts: g.hosts.sort((a, b) => byText(a.hostname, b.hostname) || byText(a.id, b.id)),
        destinations: [...g.sums.values()],
      }))
      .sort((a, b) => byText(a.name, b.name));
    return this.groupSums;
  }

  /** Every egress group's destinations against their limits (`limits` by destinationKey), highest share first. */
  egressUsage(limits: ReadonlyMap<string, number>, defaultLimit: number): EgressGroupUsage[] {
    return this.egressSums().map((g) => ({
      name: g.name,
      anchorHostId: g.anchorHostId,
      hosts: g.hosts,
      destinations: g.destinations
        .map((d) => {
          const set = limits.get(destinationKey(d.remoteAddress, d.remotePort));
          const limit = set ?? defaultLimit;
          return { ...d, limit, defaultLimit: set === undefined, share: d.connections / limit };
        })
        .sort(
          (a, b) =>
            b.share - a.share || b.connections - a.connections || byText(a.remoteAddress, b.remoteAddress) || a.remotePort - b.remotePort,
        ),
    }));
  }

  private changed(): void {
    this.ranked = null;
    this.groupSums = null;
  }

  private aggregate(key: string): void {
    const byHost = this.byDestination.get(key);
    if (byHost === undefined) {
      this.aggregates.delete(key);
      return;
    }
    let connections = 0;
    let timeWait = 0;
    let worst: Contribution | undefined;
    for (const c of byHost.values()) {
      connections += c.used;
      timeWait += c.timeWait;
      if (worst === undefined || worse(c, worst)) worst = c;
    }
    // byHost is never empty: an emptied one is deleted
    const w = worst!;
    this.aggregates.set(key, {
      ...splitKey(key),
      hosts: byHost.size,
      connections,
      timeWait,
      worst: {
        hostId: w.hostId,
        hostname: w.hostname,
        localAddress: w.worstLocalAddress,
        used: w.worstUsed,
        timeWait: w.worstTimeWait,
        pressure: w.worstPressure,
      },
    });
  }
}
