import { ConfigError, loadApiConfig } from './config/config.ts';
import { startApi } from './app.ts';
import { createApiLogger } from './logging/nest-pino-logger.ts';

/** Starts the API with the configuration from the environment; main.ts loads this module once its hooks are registered. */
async function main(): Promise<void> {
  const config = loadApiConfig();
  const logger = createApiLogger(config);
  try {
    const api = await startApi(config, { logger });
    logger.info({ context: 'Main', url: api.url }, `Portpressure API listening on ${api.url}`);
    process.send?.({ type: 'api-ready', url: api.url, port: api.port });
    process.on('disconnect', () => void api.close().then(() => process.exit(0)));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      throw new ConfigError(`port ${config.port} on ${config.host} is already in use; set PORT to another port`);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`portpressure-api: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
