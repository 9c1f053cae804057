import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module.ts';
import { NamespacesController, WorkloadsController } from './namespaces.controller.ts';
import { NamespacesRepository } from './namespaces.repository.ts';
import { NamespacesService } from './namespaces.service.ts';

/** The network namespaces of hosts (containers, pods, ip netns): a host's picker, their history, the fleet's workloads. */
@Module({
  imports: [HistoryModule],
  controllers: [NamespacesController, WorkloadsController],
  providers: [NamespacesRepository, NamespacesService],
})
export class NamespacesModule {}
