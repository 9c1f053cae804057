import { Inject, Injectable } from '@nestjs/common';
import { AGENT_ERROR_CODES, type HostDeleted, type HostSummary } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { AgentConnections } from '../enrollment/agent-connections.ts';
import { FleetCacheService } from './fleet-cache.service.ts';
import { HostsError } from './hosts.errors.ts';
import { HostsRepository } from './hosts.repository.ts';
import { toHostSummary } from './host-summary.ts';

@Injectable()
export class HostsService {
  constructor(
    private readonly hosts: HostsRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly connections: AgentConnections,
    private readonly fleet: FleetCacheService,
  ) {}

  async get(id: string, now = new Date()): Promise<HostSummary> {
    const row = await this.hosts.findById(id);
    if (!row) throw new HostsError('HOST_NOT_FOUND', `no host with id ${id}`);
    return toHostSummary(row, now, this.config.intervalSeconds);
  }

  /**
   * Deletes the host and, through its foreign keys, its history (every partition), tuple
   * dictionary, rollups, credentials and incidents, in one transaction. Its connections here
   * close; every instance drops it from the ranking.
   */
  async delete(id: string): Promise<HostDeleted> {
    if (!(await this.hosts.delete(id))) throw new HostsError('HOST_NOT_FOUND', `no host with id ${id}`);
    this.connections.closeHost(id, AGENT_ERROR_CODES.UNAUTHORIZED, 'host deleted');
    this.fleet.forget(id);
    await this.fleet.announce([id]);
    return { hostId: id, deleted: true };
  }
}
