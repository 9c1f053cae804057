import { Module } from '@nestjs/common';
import { EnrollmentModule } from '../enrollment/enrollment.module.ts';
import { HostSequenceController } from './host-sequence.controller.ts';
import { HostSequenceRepository } from './host-sequence.repository.ts';
import { HostSequenceService } from './host-sequence.service.ts';

/** Resetting a host's sequence baseline (issue #17 row 3); re-enrollment resets it too (enrollment.repository.ts). */
@Module({
  imports: [EnrollmentModule],
  controllers: [HostSequenceController],
  providers: [HostSequenceRepository, HostSequenceService],
})
export class HostSequenceModule {}
