import path from 'node:path';
import { z } from 'zod';

/** Settings of `npm start` (see .env.example); the API and agent validate their own on top. */
export const startEnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL')
    .optional(),
  PORTPRESSURE_DATA_DIR: z.string().min(1).default('.data'),
  PORTPRESSURE_PG_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  PORTPRESSURE_LOCAL_AGENT: z.enum(['true', 'false']).default('true'),
  PORTPRESSURE_ENROLLMENT_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
});

export interface StartConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  pgPort: number | undefined;
  localAgent: boolean;
  /** Set: the API and the local agent use it. Unset: one is kept in `<dataDir>/enrollment-token`. */
  enrollmentToken: string | undefined;
}

export function loadStartConfig(env: NodeJS.ProcessEnv, cwd: string): StartConfig {
  // An empty variable (`DATABASE_URL=`) means "not set", as in most tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = startEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${lines}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(cwd, e.PORTPRESSURE_DATA_DIR),
    pgPort: e.PORTPRESSURE_PG_PORT,
    localAgent: e.PORTPRESSURE_LOCAL_AGENT === 'true',
    enrollmentToken: e.PORTPRESSURE_ENROLLMENT_TOKEN,
  };
}
