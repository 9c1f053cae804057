import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module.ts';
import { HostsModule } from '../hosts/hosts.module.ts';
import { DestinationsCacheService } from './destinations-cache.service.ts';
import { DestinationsController } from './destinations.controller.ts';
import { DestinationsRepository } from './destinations.repository.ts';
import { DestinationsService } from './destinations.service.ts';

@Module({
  imports: [HostsModule, HistoryModule],
  controllers: [DestinationsController],
  providers: [DestinationsRepository, DestinationsCacheService, DestinationsService],
  exports: [DestinationsService],
})
export class DestinationsModule {}
