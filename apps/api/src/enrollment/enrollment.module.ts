import { Module } from '@nestjs/common';
import { AgentConnections } from './agent-connections.ts';
import { CredentialsController } from './credentials.controller.ts';
import { EnrollmentRepository } from './enrollment.repository.ts';
import { EnrollmentService } from './enrollment.service.ts';

@Module({
  controllers: [CredentialsController],
  providers: [EnrollmentRepository, EnrollmentService, AgentConnections],
  exports: [EnrollmentService, AgentConnections],
})
export class EnrollmentModule {}
