import 'reflect-metadata';
import type { Logger } from '@portpressure/logging';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.ts';
import { HttpExceptionFilter } from './common/http-exception.filter.ts';
import { RawWsAdapter } from './common/raw-ws-adapter.ts';
import type { ApiConfig } from './config/config.ts';
import { migrate } from './database/migrator.ts';
import { setupApiDocs } from './docs/openapi.ts';
import { createApiLogger, NestPinoLogger } from './logging/nest-pino-logger.ts';
import { originCheck } from './security/origin-check.ts';
import { securityHeaders } from './security/security-headers.ts';
import { serveWebUi } from './web/web-ui.ts';

export interface StartedApi {
  app: NestExpressApplication;
  /** The port actually bound (differs from config.port when that is 0). */
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface StartApiOptions {
  /** false: no logs at all (most tests). Otherwise the logger to write to (default: one on stdout). */
  logger?: false | Logger;
}

/** Applies pending migrations, then builds and starts the API. Used by main.ts and by tests. */
export async function startApi(config: ApiConfig, options: StartApiOptions = {}): Promise<StartedApi> {
  const logger = options.logger === false ? undefined : (options.logger ?? createApiLogger(config));
  const migrateLog = logger?.child({ context: 'Migrate' });
  await migrate(config.databaseUrl, (m) => migrateLog?.info(m));
  const nestLogger = logger ? new NestPinoLogger(logger) : undefined;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: nestLogger ?? false,
    bodyParser: true,
  });
  app.useWebSocketAdapter(new RawWsAdapter(app));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.disable('x-powered-by');
  // Decides req.ip (the sign-in rate limit's key) and req.secure (the session cookie's Secure flag).
  app.set('trust proxy', config.trustProxy);
  app.enableShutdownHooks();
  app.use(securityHeaders);
  app.use(originCheck(config.alerts.publicUrl));
  setupApiDocs(app);
  serveWebUi(app, config.webDir);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return { app, port, url: `http://${shownHost}:${port}`, close: () => app.close() };
}
