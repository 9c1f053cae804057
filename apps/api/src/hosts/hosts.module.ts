import { Module } from '@nestjs/common';
import { EnrollmentModule } from '../enrollment/enrollment.module.ts';
import { FleetCacheService } from './fleet-cache.service.ts';
import { FleetController } from './fleet.controller.ts';
import { FleetRepository } from './fleet.repository.ts';
import { HostsController } from './hosts.controller.ts';
import { HostsRepository } from './hosts.repository.ts';
import { HostsService } from './hosts.service.ts';

@Module({
  imports: [EnrollmentModule],
  controllers: [HostsController, FleetController],
  providers: [HostsRepository, HostsService, FleetRepository, FleetCacheService],
  exports: [HostsService, FleetCacheService],
})
export class HostsModule {}
