import { Inject, Injectable } from '@nestjs/common';
import { PgPoolService } from '../database/pg-pool.service.ts';
import { PrismaService } from '../database/prisma.service.ts';

@Injectable()
export class HealthRepository {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(PgPoolService) private readonly pool: PgPoolService,
  ) {}

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  /** Names of the migrations recorded as finished (and not rolled back) in the database. */
  async appliedMigrations(): Promise<Set<string>> {
    // the ingest pool: readiness is about the connections ingest needs
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return new Set(rows.map((r) => r.name));
  }
}
