import path from 'node:path';
import { z } from 'zod';

/** Repository root, for defaults that point into the checkout (data folder, built UI). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

const intFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every environment variable the API reads, validated once at boot. `.env.example` documents
 * each one; nothing else in the API reads process.env.
 */
export const apiEnvSchema = z.object({
  PORT: intFromEnv(0, 65535).default(8080), // 0 picks a free port (tests)
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL'),
  PORTPRESSURE_INTERVAL_SECONDS: intFromEnv(1, 3600).default(10),
  PORTPRESSURE_WEB_DIR: z.string().default(path.join(REPO_ROOT, 'apps/web/dist')),
  PORTPRESSURE_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
});

export type ApiConfig = {
  port: number;
  host: string;
  databaseUrl: string;
  intervalSeconds: number;
  webDir: string;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
};

/** Raised when the environment is invalid; the message names each bad variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

export function formatZodIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = apiEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${formatZodIssues(parsed.error)}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    intervalSeconds: e.PORTPRESSURE_INTERVAL_SECONDS,
    webDir: path.resolve(e.PORTPRESSURE_WEB_DIR),
    logLevel: e.PORTPRESSURE_LOG_LEVEL,
  };
}

/** Injection token for the validated configuration. */
export const API_CONFIG = Symbol('API_CONFIG');
