import { Controller, Delete, Get, Param } from '@nestjs/common';
import { hostDeletedSchema, hostSummarySchema, type HostDeleted, type HostSummary } from '@portpressure/protocol';
import { ApiEndpoint, ApiHostId, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { checkHostId } from './hosts.errors.ts';
import { HostsService } from './hosts.service.ts';

@ApiSignedIn('hosts')
@ApiHostId()
@Controller('api/hosts')
export class HostsController {
  constructor(private readonly hosts: HostsService) {}

  @Get(':id')
  @ApiEndpoint({ summary: "One host's summary", ok: schemaRef('HostSummary', hostSummarySchema) })
  get(@Param('id') id: string): Promise<HostSummary> {
    checkHostId(id);
    return this.hosts.get(id);
  }

  @Delete(':id')
  @ApiEndpoint({
    summary: 'Delete a host with its history',
    description:
      'Removes the host, every snapshot and rollup of it, its credentials (its agent connections close; it must enroll ' +
      'again to come back, as a new host) and its incidents. It leaves the fleet ranking on every API instance.',
    ok: schemaRef('HostDeleted', hostDeletedSchema),
  })
  delete(@Param('id') id: string): Promise<HostDeleted> {
    checkHostId(id);
    return this.hosts.delete(id);
  }
}
