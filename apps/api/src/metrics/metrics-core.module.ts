import { Global, Module } from '@nestjs/common';
import { ServiceMetrics } from './service-metrics.ts';

/** The instruments every feature may record into (global, so no feature imports a metrics module). */
@Global()
@Module({ providers: [ServiceMetrics], exports: [ServiceMetrics] })
export class MetricsCoreModule {}
