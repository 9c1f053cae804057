import { Module } from '@nestjs/common';
import { LiveGateway } from './live.gateway.ts';
import { LiveService } from './live.service.ts';

@Module({ providers: [LiveService, LiveGateway], exports: [LiveService] })
export class LiveModule {}
