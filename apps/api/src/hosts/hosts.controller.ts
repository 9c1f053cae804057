import { Controller, Get, Inject, Param } from '@nestjs/common';
import type { HostList, HostSummary } from '@portpressure/protocol';
import { z } from 'zod';
import { HostsError } from './hosts.errors.ts';
import { HostsService } from './hosts.service.ts';

const hostIdSchema = z.uuid();

@Controller('api/hosts')
export class HostsController {
  constructor(@Inject(HostsService) private readonly hosts: HostsService) {}

  /** Hosts ranked by pressure, highest first. */
  @Get()
  list(): Promise<HostList> {
    return this.hosts.listRanked();
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<HostSummary> {
    if (!hostIdSchema.safeParse(id).success) throw new HostsError('INVALID_HOST_ID', `"${id}" is not a host id`);
    return this.hosts.get(id);
  }
}
