import type { Logger } from '@nestjs/common';
import pg from 'pg';

export interface PgChannelListenerOptions {
  databaseUrl: string;
  channel: string;
  /** Names the connection in pg_stat_activity (application_name) and in log lines. */
  name: string;
  logger: Logger;
  onPayload(payload: string): void;
  /**
   * true after each (re)connection, false when the connection is lost: notifications sent while
   * disconnected are lost, so whoever caches what they announce must not trust it in between.
   */
  onState(listening: boolean): void;
}

/** Pause before a lost listener connection is opened again. */
const RECONNECT_MS = 1000;

/**
 * LISTENs on one PostgreSQL channel over a connection of its own, reconnecting whenever it is
 * lost (also when the first attempt fails: start-up does not wait for the listener). Used by the
 * caches every API instance keeps (fleet ranking, alert rules) to hear of other instances' writes.
 */
export class PgChannelListener {
  private client: pg.Client | undefined;
  private stopped = false;

  constructor(private readonly options: PgChannelListenerOptions) {}

  /** Resolves after the first attempt to connect and LISTEN, whether it worked or a retry is scheduled. */
  start(): Promise<void> {
    return this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { databaseUrl, channel, name, logger, onPayload, onState } = this.options;
    const client = new pg.Client({ connectionString: databaseUrl, application_name: `portpressure-${name}` });
    const retry = (error: unknown) => {
      if (this.stopped || this.client !== client) return;
      this.client = undefined;
      onState(false);
      logger.warn(`${name} lost (${error instanceof Error ? error.message : String(error)}); reconnecting`);
      void client.end().catch(() => undefined);
      setTimeout(() => void this.connect(), RECONNECT_MS).unref();
    };
    this.client = client;
    client.on('error', retry);
    client.on('end', () => retry(new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel === channel) onPayload(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      retry(error);
      return;
    }
    if (this.client === client) onState(true);
  }
}
