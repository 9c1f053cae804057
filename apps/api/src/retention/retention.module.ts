import { Module } from '@nestjs/common';
import { HostsModule } from '../hosts/hosts.module.ts';
import { MaintenanceRepository } from './maintenance.repository.ts';
import { MaintenanceService } from './maintenance.service.ts';

@Module({
  imports: [HostsModule],
  providers: [MaintenanceRepository, MaintenanceService],
  exports: [MaintenanceService],
})
export class RetentionModule {}
