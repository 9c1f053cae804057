import { Module } from '@nestjs/common';
import { HostsController } from './hosts.controller.ts';
import { HostsRepository } from './hosts.repository.ts';
import { HostsService } from './hosts.service.ts';

@Module({
  controllers: [HostsController],
  providers: [HostsRepository, HostsService],
  exports: [HostsService],
})
export class HostsModule {}
