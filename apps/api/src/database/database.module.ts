import { Global, Module } from '@nestjs/common';
import { DbService } from './db.service.ts';
import { PgPoolService } from './pg-pool.service.ts';
import { PrismaService } from './prisma.service.ts';

@Global()
@Module({ providers: [DbService, PrismaService, PgPoolService], exports: [DbService, PrismaService, PgPoolService] })
export class DatabaseModule {}
