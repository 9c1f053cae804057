import { Module } from '@nestjs/common';
import { DiagnosticsController } from './diagnostics.controller.ts';
import { DiagnosticsRepository } from './diagnostics.repository.ts';
import { DiagnosticsService } from './diagnostics.service.ts';

/** Reading a host's latest diagnosis (issue #15); ingest stores it with the snapshot. */
@Module({
  controllers: [DiagnosticsController],
  providers: [DiagnosticsRepository, DiagnosticsService],
})
export class DiagnosticsModule {}
