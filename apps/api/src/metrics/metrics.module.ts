import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.ts';
import { EnrollmentModule } from '../enrollment/enrollment.module.ts';
import { HistoryModule } from '../history/history.module.ts';
import { TokensModule } from '../tokens/tokens.module.ts';
import { FleetMetrics } from './fleet-metrics.ts';
import { MetricsController } from './metrics.controller.ts';
import { MetricsRepository } from './metrics.repository.ts';

/** GET /metrics. The instruments themselves live in MetricsCoreModule (global). */
@Module({
  imports: [AuthModule, TokensModule, EnrollmentModule, HistoryModule],
  controllers: [MetricsController],
  providers: [MetricsRepository, FleetMetrics],
})
export class MetricsModule {}
