import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.ts';
import { LiveGateway } from './live.gateway.ts';
import { LiveService } from './live.service.ts';

@Module({ imports: [AuthModule], providers: [LiveService, LiveGateway], exports: [LiveService] })
export class LiveModule {}
