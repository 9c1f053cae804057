import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/public.decorator.ts';
import { HealthRepository } from './health.repository.ts';

/** Liveness and readiness for load balancers and container health checks. */
@Controller('api/health')
export class HealthController {
  constructor(@Inject(HealthRepository) private readonly health: HealthRepository) {}

  @Get()
  @Public()
  @HttpCode(200)
  async check(): Promise<{ status: 'ok'; database: 'ok' }> {
    try {
      await this.health.ping();
    } catch {
      throw new ServiceUnavailableException('database unreachable');
    }
    return { status: 'ok', database: 'ok' };
  }
}
