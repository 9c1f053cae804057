import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { hostClockSchema, type HostClock } from '@portpressure/protocol';
import { z } from 'zod';
import { errorRef, schemaRef } from '../docs/openapi.ts';
import { HostsError } from '../hosts/hosts.errors.ts';
import { ClockSkews } from './clock-skews.ts';

@ApiTags('hosts')
@ApiCookieAuth('session')
@ApiResponse({ status: 401, description: 'Not signed in', schema: errorRef })
@Controller('api/hosts')
export class HostClockController {
  constructor(@Inject(ClockSkews) private readonly skews: ClockSkews) {}

  @Get(':id/clock')
  @ApiOperation({
    summary: "How far the host's agent clock is off",
    description: 'Measured by the API as snapshots arrive. Snapshots dated too far ahead are stored at their receive time.',
  })
  @ApiOkResponse({ schema: schemaRef('HostClock', hostClockSchema) })
  @ApiResponse({ status: 404, description: 'No such host', schema: errorRef })
  get(@Param('id') id: string): Promise<HostClock> {
    if (!z.uuid().safeParse(id).success) throw new HostsError('INVALID_HOST_ID', `"${id}" is not a host id`);
    return this.skews.get(id);
  }
}
