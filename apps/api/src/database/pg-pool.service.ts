import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { API_CONFIG, type ApiConfig } from '../config/config.ts';

/**
 * A plain `pg` pool beside Prisma's, for repositories whose hot path needs one round trip per batch
 * (ingest: multi-row inserts with unnest, no per-query ORM work). Only repositories inject it.
 */
@Injectable()
export class PgPoolService extends pg.Pool implements OnModuleDestroy {
  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    super({ connectionString: config.databaseUrl, max: 6, application_name: 'portpressure-ingest' });
    // An idle client losing its server (restart, failover) must not crash the process; the next
    // query gets a fresh connection and fails or succeeds on its own.
    this.on('error', () => undefined);
    // The same for a client checked out between two queries (a transaction, the maintenance job's
    // advisory-lock session): pg emits the loss on the client, and with no listener that is an
    // uncaught exception. Its next query rejects, which its caller handles.
    this.on('connect', (client) => client.on('error', () => undefined));
  }

  /** Runs `work` in a transaction on one client: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.end();
  }
}
