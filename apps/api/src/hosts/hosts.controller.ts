import { Controller, Delete, Get, Inject, Param } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { hostDeletedSchema, hostSummarySchema, type HostDeleted, type HostSummary } from '@portpressure/protocol';
import { z } from 'zod';
import { errorRef, schemaRef } from '../docs/openapi.ts';
import { HostsError } from './hosts.errors.ts';
import { HostsService } from './hosts.service.ts';

const hostIdSchema = z.uuid();

@ApiTags('hosts')
@ApiCookieAuth('session')
@ApiResponse({ status: 401, description: 'Not signed in', schema: errorRef })
@Controller('api/hosts')
export class HostsController {
  constructor(@Inject(HostsService) private readonly hosts: HostsService) {}

  @Get(':id')
  @ApiOperation({ summary: "One host's summary" })
  @ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: schemaRef('HostSummary', hostSummarySchema) })
  @ApiResponse({ status: 400, description: 'Not a host id', schema: errorRef })
  @ApiResponse({ status: 404, description: 'No such host', schema: errorRef })
  get(@Param('id') id: string): Promise<HostSummary> {
    if (!hostIdSchema.safeParse(id).success) throw new HostsError('INVALID_HOST_ID', `"${id}" is not a host id`);
    return this.hosts.get(id);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a host with its history',
    description:
      'Removes the host, every snapshot and rollup of it, its credentials (its agent connections close; it must enroll ' +
      'again to come back, as a new host) and its incidents. It leaves the fleet ranking on every API instance.',
  })
  @ApiParam({ name: 'id', description: 'Host id (UUID)', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: schemaRef('HostDeleted', hostDeletedSchema) })
  @ApiResponse({ status: 400, description: 'Not a host id', schema: errorRef })
  @ApiResponse({ status: 404, description: 'No such host', schema: errorRef })
  delete(@Param('id') id: string): Promise<HostDeleted> {
    if (!hostIdSchema.safeParse(id).success) throw new HostsError('INVALID_HOST_ID', `"${id.slice(0, 64)}" is not a host id`);
    return this.hosts.delete(id);
  }
}
