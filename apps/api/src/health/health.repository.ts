import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DbService } from '../database/db.service.ts';

@Injectable()
export class HealthRepository {
  constructor(private readonly db: DbService) {}

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  /** Names of the migrations recorded as finished (and not rolled back) in the database. */
  async appliedMigrations(): Promise<Set<string>> {
    // _prisma_migrations is the migrator's own table, not in schema.prisma
    const { rows } = await sql<{ name: string }>`
      SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`.execute(this.db);
    return new Set(rows.map((r) => r.name));
  }
}
