import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator.ts';
import { HealthRepository } from './health.repository.ts';

/** Liveness and readiness for load balancers and container health checks. */
@Controller('api/health')
export class HealthController {
  constructor(private readonly health: HealthRepository) {}

  @Get()
  @Public()
  @HttpCode(200)
  @ApiTags('health')
  @ApiOperation({ summary: 'Liveness and database reachability', description: 'Needs no sign-in.' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { status: { enum: ['ok'] }, database: { enum: ['ok'] } }, required: ['status', 'database'] },
  })
  @ApiResponse({ status: 503, description: 'The database is unreachable' })
  async check(): Promise<{ status: 'ok'; database: 'ok' }> {
    try {
      await this.health.ping();
    } catch {
      throw new ServiceUnavailableException('database unreachable');
    }
    return { status: 'ok', database: 'ok' };
  }
}
