import { Controller, Get, Param } from '@nestjs/common';
import { hostClockSchema, type HostClock } from '@portpressure/protocol';
import { ApiEndpoint, ApiHostId, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { checkHostId } from '../hosts/hosts.errors.ts';
import { ClockSkews } from './clock-skews.ts';

@ApiSignedIn('hosts')
@ApiHostId()
@Controller('api/hosts')
export class HostClockController {
  constructor(private readonly skews: ClockSkews) {}

  @Get(':id/clock')
  @ApiEndpoint({
    summary: "How far the host's agent clock is off",
    description: 'Measured by the API as snapshots arrive. Snapshots dated too far ahead are stored at their receive time.',
    ok: schemaRef('HostClock', hostClockSchema),
  })
  get(@Param('id') id: string): Promise<HostClock> {
    checkHostId(id);
    return this.skews.get(id);
  }
}
