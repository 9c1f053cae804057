import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { hostListSchema, hostSummarySchema, type HostList, type HostSummary } from '@portpressure/protocol';
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

  /** Hosts ranked by pressure, highest first. */
  @Get()
  @ApiOperation({
    summary: 'The fleet ranked by port pressure',
    description:
      "Every host, highest pressure (its worst tuple's (used − reclaimable) / usable) first, hosts without data last, " +
      'each with its last-hour trend and exhaustion forecast. Live changes arrive on the WebSocket /ws/live.',
  })
  @ApiOkResponse({ schema: schemaRef('HostList', hostListSchema) })
  list(): Promise<HostList> {
    return this.hosts.listRanked();
  }

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
}
