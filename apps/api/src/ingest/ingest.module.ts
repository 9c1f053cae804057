import { Module } from '@nestjs/common';
import { EnrollmentModule } from '../enrollment/enrollment.module.ts';
import { HostClockModule } from '../host-clock/host-clock.module.ts';
import { LiveModule } from '../live/live.module.ts';
import { IngestGateway } from './ingest.gateway.ts';
import { IngestRepository } from './ingest.repository.ts';
import { IngestService } from './ingest.service.ts';
import { ResendCheckRepository } from './resend-check.repository.ts';
import { SnapshotEvents } from './snapshot-events.ts';
import { SnapshotWriter } from './snapshot-writer.ts';

@Module({
  imports: [EnrollmentModule, LiveModule, HostClockModule],
  providers: [IngestRepository, ResendCheckRepository, SnapshotWriter, IngestService, IngestGateway, SnapshotEvents],
  exports: [SnapshotEvents],
})
export class IngestModule {}
