import { Inject, Injectable } from '@nestjs/common';
import { offlineAfterSeconds, type HostList, type HostSummary } from '@portpressure/protocol';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';
import { HostsError } from './hosts.errors.ts';
import { HostsRepository } from './hosts.repository.ts';
import { toFleetHost, toHostSummary } from './host-summary.ts';

@Injectable()
export class HostsService {
  constructor(
    @Inject(HostsRepository) private readonly hosts: HostsRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async listRanked(now = new Date()): Promise<HostList> {
    const rows = await this.hosts.listRanked();
    return {
      hosts: rows.map((r) => toFleetHost(r, now, this.config.intervalSeconds)),
      serverTime: now.toISOString(),
      offlineAfterSeconds: offlineAfterSeconds(this.config.intervalSeconds),
    };
  }

  async get(id: string, now = new Date()): Promise<HostSummary> {
    const row = await this.hosts.findById(id);
    if (!row) throw new HostsError('HOST_NOT_FOUND', `no host with id ${id}`);
    return toHostSummary(row, now, this.config.intervalSeconds);
  }
}
