import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.ts';
import { HealthRepository } from './health.repository.ts';
import { ProbesController } from './probes.controller.ts';

@Module({ controllers: [HealthController, ProbesController], providers: [HealthRepository] })
export class HealthModule {}
