import { Inject, Injectable } from '@nestjs/common';
import {
  EGRESS_DESTINATIONS_PER_GROUP,
  destinationQuerySchema,
  egressGroupBodySchema,
  egressLimitBodySchema,
  endpointSchema,
  type DestinationList,
  type EgressLimit,
  type EgressOverview,
  type HostEgressGroup,
} from '@portpressure/protocol';
import { z } from 'zod';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { FleetCacheService } from '../hosts/fleet-cache.service.ts';
import { checkHostId } from '../hosts/hosts.errors.ts';
import { DestinationsCacheService } from './destinations-cache.service.ts';
import { destinationKey, type EgressGroupUsage } from './destinations-projection.ts';
import { DestinationsError } from './destinations.errors.ts';
import { DestinationsRepository } from './destinations.repository.ts';

function parseOr<T>(
  schema: z.ZodType<T, unknown>,
  value: unknown,
  code: 'INVALID_ENDPOINT' | 'INVALID_EGRESS_REQUEST' | 'INVALID_QUERY',
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new DestinationsError(code, z.prettifyError(result.error));
  return result.data;
}

/**
 * Destinations across the fleet and the egress budgets of groups of hosts behind one egress
 * address: read from the in-memory projection, with the limits users set (docs/destinations.md).
 */
@Injectable()
export class DestinationsService {
  constructor(
    private readonly cache: DestinationsCacheService,
    private readonly repository: DestinationsRepository,
    private readonly fleet: FleetCacheService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async destinations(query: unknown): Promise<DestinationList> {
    const { limit } = parseOr(destinationQuerySchema, query, 'INVALID_QUERY');
    return (await this.cache.current()).ranking(limit);
  }

  /** Every egress group's destinations against their limits, all of them (the alert rule reads this). */
  async egressUsage(): Promise<EgressGroupUsage[]> {
    return (await this.usageAndLimits()).usage;
  }

  async egress(): Promise<EgressOverview> {
    const { usage, limits } = await this.usageAndLimits();
    const top = (g: EgressGroupUsage): number => g.destinations[0]?.share ?? 0;
    return {
      label: this.config.egress.label,
      defaultLimit: this.config.egress.defaultLimit,
      limits,
      groups: usage
        .sort((a, b) => top(b) - top(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((g) => ({ name: g.name, hosts: g.hosts, destinations: g.destinations.slice(0, EGRESS_DESTINATIONS_PER_GROUP) })),
    };
  }

  private async usageAndLimits(): Promise<{ usage: EgressGroupUsage[]; limits: EgressLimit[] }> {
    const [projection, limits] = await Promise.all([this.cache.current(), this.repository.limits()]);
    const byKey = new Map(limits.map((l) => [destinationKey(l.remoteAddress, l.remotePort), l.limit]));
    return { usage: projection.egressUsage(byKey, this.config.egress.defaultLimit), limits };
  }

  /** The limit set for a destination (the audit log's view of one); throws when none is set. */
  async limit(endpoint: string): Promise<EgressLimit> {
    const { remoteAddress, remotePort } = parseOr(endpointSchema, endpoint, 'INVALID_ENDPOINT');
    const found = await this.repository.limit(remoteAddress, remotePort);
    if (found === null) throw new DestinationsError('EGRESS_LIMIT_NOT_FOUND', `no limit is set for ${endpoint}; the default applies`);
    return found;
  }

  async setLimit(endpoint: string, body: unknown): Promise<EgressLimit> {
    const { remoteAddress, remotePort } = parseOr(endpointSchema, endpoint, 'INVALID_ENDPOINT');
    const { limit } = parseOr(egressLimitBodySchema, body, 'INVALID_EGRESS_REQUEST');
    const set = { remoteAddress, remotePort, limit };
    await this.repository.setLimit(set);
    return set;
  }

  async deleteLimit(endpoint: string): Promise<EgressLimit> {
    const before = await this.limit(endpoint);
    if (!(await this.repository.deleteLimit(before.remoteAddress, before.remotePort))) {
      throw new DestinationsError('EGRESS_LIMIT_NOT_FOUND', `no limit is set for ${endpoint}; the default applies`);
    }
    return before;
  }

  async hostGroup(hostId: string): Promise<HostEgressGroup> {
    checkHostId(hostId);
    const found = await this.repository.hostGroup(this.config.egress.label, hostId);
    if (found === null) throw new DestinationsError('HOST_NOT_FOUND', `no host ${hostId}`);
    return { hostId, ...found };
  }

  /** Sets or clears a host's explicit egress group; every instance's projection re-reads the host. */
  async setHostGroup(hostId: string, body: unknown): Promise<HostEgressGroup> {
    checkHostId(hostId);
    const { group } = parseOr(egressGroupBodySchema, body, 'INVALID_EGRESS_REQUEST');
    if (!(await this.repository.setHostGroup(hostId, group))) throw new DestinationsError('HOST_NOT_FOUND', `no host ${hostId}`);
    await this.fleet.announce([hostId]);
    return this.hostGroup(hostId);
  }
}
