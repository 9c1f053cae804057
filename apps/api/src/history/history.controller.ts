import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiQuery, ApiResponse } from '@nestjs/swagger';
import {
  DEFAULT_HISTORY_HOURS,
  MAX_HISTORY_DAYS,
  MAX_HISTORY_POINTS,
  hostDetailSchema,
  hostHistorySchema,
  type HostDetail,
  type HostHistory,
} from '@portpressure/protocol';
import { ApiEndpoint, ApiHostId, ApiSignedIn, errorRef, schemaRef } from '../docs/openapi.ts';
import { checkHostId } from '../hosts/hosts.errors.ts';
import { HistoryService } from './history.service.ts';

@ApiSignedIn('hosts')
@ApiHostId()
@Controller('api/hosts')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get(':id/history')
  @ApiEndpoint({
    summary: "A host's history, downsampled",
    description:
      `At most ${MAX_HISTORY_POINTS} points per series whatever the span: the span is cut into equal buckets and ` +
      'each keeps the maximum of every series (spikes are never averaged away). Series: host pressure, the worst ' +
      "tuple's held ports against usable, host ports in use, TIME_WAIT and reclaimable, sockets by TCP state, and " +
      `the span's top tuples. \`gaps\` lists stretches where the host was offline. Span at most ${MAX_HISTORY_DAYS} days.`,
    ok: schemaRef('HostHistory', hostHistorySchema),
  })
  @ApiResponse({ status: 400, description: 'Invalid host id or query', schema: errorRef })
  @ApiQuery({
    name: 'from',
    required: false,
    description: `ISO 8601 with time zone; default ${DEFAULT_HISTORY_HOURS} h before \`to\``,
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiQuery({
    name: 'to',
    required: false,
    description: 'ISO 8601 with time zone; default now',
    schema: { type: 'string', format: 'date-time' },
  })
  getHistory(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<HostHistory> {
    checkHostId(id);
    return this.history.history(id, query);
  }

  @Get(':id/detail')
  @ApiEndpoint({
    summary: "A host's latest snapshot and advice",
    description:
      'The host summary, its newest snapshot with the full tuple table, range, reserved ports, bindOwned and sysctls, and advice derived from it.',
    ok: schemaRef('HostDetail', hostDetailSchema),
  })
  getDetail(@Param('id') id: string): Promise<HostDetail> {
    checkHostId(id);
    return this.history.detail(id);
  }
}
