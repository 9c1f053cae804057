import { Global, Module } from '@nestjs/common';
import { PgPoolService } from './pg-pool.service.ts';
import { PrismaService } from './prisma.service.ts';

@Global()
@Module({ providers: [PrismaService, PgPoolService], exports: [PrismaService, PgPoolService] })
export class DatabaseModule {}
