import { Controller, Get, Res } from '@nestjs/common';
import { fleetSchema } from '@portpressure/protocol';
import type { Response } from 'express';
import { ApiEndpoint, ApiSignedIn, schemaRef } from '../docs/openapi.ts';
import { FleetCacheService } from './fleet-cache.service.ts';

@ApiSignedIn('hosts')
@Controller('api/fleet')
export class FleetController {
  constructor(private readonly fleet: FleetCacheService) {}

  @Get()
  @ApiEndpoint({
    summary: 'The fleet ranking, compact',
    description:
      'Every host, highest pressure first, with what the fleet page shows: worst tuple, TIME_WAIT, usable ports, ' +
      'last-hour sparkline (one character per minute, 64 levels) and exhaustion forecast. Kept in memory by each API ' +
      'instance and refreshed within a second of new snapshots; live changes arrive on the WebSocket /ws/live.',
    ok: schemaRef('Fleet', fleetSchema),
  })
  async get(@Res() res: Response): Promise<void> {
    // Already JSON: written as it is, without parsing and serialising 10,000 rows again, and
    // without res.send(), which would hash megabytes for an ETag that changes every second.
    const chunks = await this.fleet.fleet();
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', String(chunks.reduce((n, c) => n + c.length, 0)));
    res.setHeader('Cache-Control', 'no-store');
    for (const chunk of chunks) res.write(chunk);
    res.end();
  }
}
