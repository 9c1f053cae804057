import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module.ts';
import { LiveModule } from '../live/live.module.ts';
import { IngestGateway } from './ingest.gateway.ts';
import { IngestRepository } from './ingest.repository.ts';
import { IngestService } from './ingest.service.ts';
import { SnapshotEvents } from './snapshot-events.ts';

@Module({
  imports: [HostsModule, LiveModule],
  providers: [IngestRepository, IngestService, IngestGateway, SnapshotEvents],
  exports: [SnapshotEvents],
})
export class IngestModule {}
