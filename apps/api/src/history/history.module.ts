import { Module } from '@nestjs/common';
import { HostClockModule } from '../host-clock/host-clock.module.ts';
import { HostsModule } from '../hosts/hosts.module.ts';
import { IngestModule } from '../ingest/ingest.module.ts';
import { LiveModule } from '../live/live.module.ts';
import { HistoryController } from './history.controller.ts';
import { HistoryRepository } from './history.repository.ts';
import { HistoryWritesRepository } from './history-writes.repository.ts';
import { HistoryService } from './history.service.ts';
import { HistoryWriterService } from './history-writer.service.ts';
import { LatestTuplesRepository } from './latest-tuples.repository.ts';

@Module({
  imports: [HostsModule, IngestModule, LiveModule, HostClockModule],
  controllers: [HistoryController],
  providers: [HistoryRepository, HistoryWritesRepository, HistoryService, HistoryWriterService, LatestTuplesRepository],
  exports: [LatestTuplesRepository, HistoryService, HistoryRepository],
})
export class HistoryModule {}
