import { Module } from '@nestjs/common';
import { FleetCacheService } from './fleet-cache.service.ts';
import { FleetController } from './fleet.controller.ts';
import { FleetRepository } from './fleet.repository.ts';
import { HostsController } from './hosts.controller.ts';
import { HostsRepository } from './hosts.repository.ts';
import { HostsService } from './hosts.service.ts';

@Module({
  controllers: [HostsController, FleetController],
  providers: [HostsRepository, HostsService, FleetRepository, FleetCacheService],
  exports: [HostsService, FleetCacheService],
})
export class HostsModule {}
