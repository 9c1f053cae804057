import path from 'node:path';
import { z } from 'zod';
import { intFromEnv, unsetIfEmpty } from './env-fields.ts';
import { securityConfigFrom, securityEnvShape, type SecurityConfig } from './security-config.ts';
import { teamEnvShape, loadTeamConfig, type TeamConfig } from './team-config.ts';

/** Repository root, for defaults that point into the checkout (data folder, built UI). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

/** A secret token of at least `min` printable ASCII characters without spaces; empty means "not set". */
const tokenFromEnv = (min: number, tooShort: string) =>
  unsetIfEmpty(
    z
      .string()
      .min(min, tooShort)
      .max(256)
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  );

/**
 * Every environment variable the API reads, validated once at boot. `.env.example` documents
 * each one; nothing else in the API reads process.env.
 */
export const apiEnvSchema = z.object({
  PORT: intFromEnv(0, 65535).default(8080), // 0 picks a free port (tests)
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL'),
  PORTPRESSURE_INTERVAL_SECONDS: intFromEnv(1, 3600).default(10),
  PORTPRESSURE_WEB_DIR: z.string().default(path.join(REPO_ROOT, 'apps/web/dist')),
  PORTPRESSURE_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
  // Alerting (apps/api/src/alerts). The public URL is where notification links point.
  PORTPRESSURE_PUBLIC_URL: unsetIfEmpty(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })),
  PORTPRESSURE_ALERT_TICK_SECONDS: intFromEnv(1, 3600).default(15),
  PORTPRESSURE_DELIVERY_POLL_MS: intFromEnv(50, 600_000).default(1000),
  PORTPRESSURE_DELIVERY_TIMEOUT_MS: intFromEnv(100, 120_000).default(10_000),
  PORTPRESSURE_DELIVERY_BACKOFF_BASE_MS: intFromEnv(10, 3_600_000).default(5000),
  PORTPRESSURE_DELIVERY_BACKOFF_MAX_MS: intFromEnv(10, 86_400_000).default(600_000),
  PORTPRESSURE_DELIVERY_MAX_ATTEMPTS: intFromEnv(1, 1000).default(12),
  PORTPRESSURE_DELIVERY_CONCURRENCY: intFromEnv(1, 100).default(4),
  // Sign-in (apps/api/src/auth). An empty password means "not set": one is generated and printed once.
  PORTPRESSURE_ADMIN_PASSWORD: unsetIfEmpty(z.string().min(8, 'must be at least 8 characters').max(1024)),
  PORTPRESSURE_SESSION_HOURS: intFromEnv(1, 24 * 365).default(168),
  PORTPRESSURE_LOGIN_MAX_ATTEMPTS: intFromEnv(1, 10_000).default(10),
  PORTPRESSURE_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9A-Za-z.:/,\s]+)$/, 'must be true, false, a hop count, or addresses/subnets (loopback, 10.0.0.0/8, …)')
    .default('false'),
  // Agent enrollment (apps/api/src/enrollment). Empty means "not set": one is generated, stored
  // hashed in Postgres and printed once.
  PORTPRESSURE_ENROLLMENT_TOKEN: tokenFromEnv(32, 'must be at least 32 characters (a short token can be guessed)'),
  PORTPRESSURE_AGENT_RATE_LIMIT: intFromEnv(1, 100_000).default(50),
  // Operations (apps/api/src/metrics, apps/api/src/logging). Empty means "not set".
  PORTPRESSURE_METRICS_TOKEN: tokenFromEnv(16, 'must be at least 16 characters'),
  PORTPRESSURE_METRICS_TOP_TUPLES: intFromEnv(0, 100).default(5),
  PORTPRESSURE_LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  // Hardening limits (docs/security.md explains each).
  ...securityEnvShape,
  ...teamEnvShape,
  PORTPRESSURE_RETENTION_RAW_DAYS: intFromEnv(1, 3650).default(3),
  PORTPRESSURE_RETENTION_MINUTE_DAYS: intFromEnv(1, 3650).default(8),
  PORTPRESSURE_RETENTION_HOUR_DAYS: intFromEnv(1, 36500).default(180),
  PORTPRESSURE_RETENTION_DELIVERY_DAYS: intFromEnv(1, 36500).default(30),
  PORTPRESSURE_RETENTION_INCIDENT_DAYS: intFromEnv(1, 36500).default(90),
  PORTPRESSURE_ARCHIVE_AFTER_DAYS: intFromEnv(1, 36500).default(30),
  PORTPRESSURE_MAINTENANCE_MINUTES: intFromEnv(1, 1440).default(10),
  // Egress budgets (apps/api/src/destinations): the host label naming a host's egress address, and
  // the connections one egress address may hold to one destination unless a limit is set for it.
  PORTPRESSURE_EGRESS_LABEL: z
    .string()
    .regex(/^[A-Za-z0-9_.\-/]{1,63}$/, 'must be a label key: 1-63 characters of A-Z a-z 0-9 _ . - /')
    .default('egress'),
  PORTPRESSURE_EGRESS_DEFAULT_LIMIT: intFromEnv(1, 10_000_000).default(55_000),
  // The agent's build folder (npm run build:agent), served at /install.sh and /downloads/agent/.
  PORTPRESSURE_AGENT_DIST_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'apps/agent/dist')),
});

export type ApiConfig = {
  port: number;
  host: string;
  databaseUrl: string;
  intervalSeconds: number;
  webDir: string;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
  alerts: AlertsConfig;
  /** Set: the admin password is this one (re-hashed when it changes). Unset: generated once. */
  adminPassword: string | undefined;
  /** Idle lifetime of a session; every use extends it. */
  sessionHours: number;
  /** Sign-in attempts allowed per client address per 15 minutes. */
  loginMaxAttempts: number;
  /** Express's `trust proxy`: decides the client address and whether the request came over https. */
  trustProxy: boolean | number | string[];
  /** Set: agents enroll with this token. Unset: the API generates one on first start (stored hashed). */
  enrollmentToken: string | undefined;
  /** Frames per second one agent connection may send on average (bursts up to twice as many). */
  agentRateLimit: number;
  metrics: MetricsConfig;
  /** auto: JSON lines unless stdout is a terminal. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** Limits against floods and abuse (sign-in, enrollment, upgrades, ingest, webhook targets). */
  security: SecurityConfig;
  retention: RetentionConfig;
  /** Where the install script, the agent executable, bundle, unit and SHA256SUMS are. */
  agentDistDir: string;
  egress: EgressConfig;
} & TeamConfig;

/** Egress groups and budgets (apps/api/src/destinations). */
export interface EgressConfig {
  /** The host label whose value names the host's egress group (its NAT gateway or egress address). */
  label: string;
  /** Connections one egress group may hold to one destination, unless a limit is set for it. */
  defaultLimit: number;
}

export interface MetricsConfig {
  /** Set: a bearer token that opens /metrics alone (besides API tokens and sessions). */
  token: string | undefined;
  /** Tuples per host exported as series (worst first), so the series count stays bounded. */
  topTuples: number;
}

/** How long each kind of history is kept (apps/api/src/retention), in days. */
export interface RetentionConfig {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
  /** Delivered and failed notifications of the delivery log (pending ones are kept). */
  deliveryDays: number;
  /** Resolved incidents, counted from their resolution. */
  incidentDays: number;
  /** A host silent this long is archived. */
  archiveAfterDays: number;
  /** Period of the maintenance job (partitions, rollups, retention, archiving). */
  maintenanceMinutes: number;
}

function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

export interface AlertsConfig {
  /** Base URL of the UI for links in notifications, without a trailing slash. */
  publicUrl: string;
  /** Period of the timer that finds offline hosts and sends reminders. */
  tickSeconds: number;
  delivery: {
    /** How often the outbox worker looks for due notifications (it is also woken on enqueue). */
    pollMs: number;
    /** Budget of one HTTP attempt. */
    timeoutMs: number;
    /** Exponential backoff with full jitter: base, cap (Retry-After may ask for longer). */
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** Attempts before a retryable failure is given up and shown as failed. */
    maxAttempts: number;
    /** Deliveries one API instance sends at once. */
    concurrency: number;
  };
}

/** Raised when the environment is invalid; the message names each bad variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

function formatZodIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = apiEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${formatZodIssues(parsed.error)}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PORTPRESSURE_PUBLIC_URL ?? `http://localhost:${e.PORT === 0 ? 8080 : e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    intervalSeconds: e.PORTPRESSURE_INTERVAL_SECONDS,
    webDir: path.resolve(e.PORTPRESSURE_WEB_DIR),
    logLevel: e.PORTPRESSURE_LOG_LEVEL,
    alerts: {
      publicUrl,
      tickSeconds: e.PORTPRESSURE_ALERT_TICK_SECONDS,
      delivery: {
        pollMs: e.PORTPRESSURE_DELIVERY_POLL_MS,
        timeoutMs: e.PORTPRESSURE_DELIVERY_TIMEOUT_MS,
        backoffBaseMs: e.PORTPRESSURE_DELIVERY_BACKOFF_BASE_MS,
        backoffMaxMs: Math.max(e.PORTPRESSURE_DELIVERY_BACKOFF_MAX_MS, e.PORTPRESSURE_DELIVERY_BACKOFF_BASE_MS),
        maxAttempts: e.PORTPRESSURE_DELIVERY_MAX_ATTEMPTS,
        concurrency: e.PORTPRESSURE_DELIVERY_CONCURRENCY,
      },
    },
    adminPassword: e.PORTPRESSURE_ADMIN_PASSWORD,
    sessionHours: e.PORTPRESSURE_SESSION_HOURS,
    loginMaxAttempts: e.PORTPRESSURE_LOGIN_MAX_ATTEMPTS,
    trustProxy: parseTrustProxy(e.PORTPRESSURE_TRUST_PROXY),
    enrollmentToken: e.PORTPRESSURE_ENROLLMENT_TOKEN,
    agentRateLimit: e.PORTPRESSURE_AGENT_RATE_LIMIT,
    metrics: { token: e.PORTPRESSURE_METRICS_TOKEN, topTuples: e.PORTPRESSURE_METRICS_TOP_TUPLES },
    logFormat: e.PORTPRESSURE_LOG_FORMAT,
    security: securityConfigFrom(e),
    ...loadTeamConfig(e, publicUrl),
    retention: {
      rawDays: e.PORTPRESSURE_RETENTION_RAW_DAYS,
      minuteDays: e.PORTPRESSURE_RETENTION_MINUTE_DAYS,
      hourDays: e.PORTPRESSURE_RETENTION_HOUR_DAYS,
      deliveryDays: e.PORTPRESSURE_RETENTION_DELIVERY_DAYS,
      incidentDays: e.PORTPRESSURE_RETENTION_INCIDENT_DAYS,
      archiveAfterDays: e.PORTPRESSURE_ARCHIVE_AFTER_DAYS,
      maintenanceMinutes: e.PORTPRESSURE_MAINTENANCE_MINUTES,
    },
    agentDistDir: path.resolve(e.PORTPRESSURE_AGENT_DIST_DIR),
    egress: { label: e.PORTPRESSURE_EGRESS_LABEL, defaultLimit: e.PORTPRESSURE_EGRESS_DEFAULT_LIMIT },
  };
}

/** Injection token for the validated configuration. */
export const API_CONFIG = Symbol('API_CONFIG');
