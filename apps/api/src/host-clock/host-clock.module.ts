import { Module } from '@nestjs/common';
import { ClockSkews } from './clock-skews.ts';
import { HostClockController } from './host-clock.controller.ts';
import { HostClockRepository } from './host-clock.repository.ts';

/** Agents' clock skew: measured by ingest, shown on the host page. */
@Module({
  providers: [HostClockRepository, ClockSkews],
  controllers: [HostClockController],
  exports: [ClockSkews],
})
export class HostClockModule {}
