import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AGENT_ENV_VARS, loadRunConfig } from '../../apps/agent/src/config.ts';
import { REPO_ROOT, apiEnvSchema, loadApiConfig } from '../../apps/api/src/config/config.ts';
import { lacks } from '../support/requirements.ts';

const run = promisify(execFile);

const envExample = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
/** Every variable .env.example documents, with its default where it shows one (`VAR=value`). */
const documented = new Map([...envExample.matchAll(/^(#\s*)?([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[2]!, m[1] ? undefined : m[3]!]));

/** What the API and the agent read (their config schemas), so the lists cannot drift from the code. */
const API_VARS = new Set(Object.keys(apiEnvSchema.shape));
const AGENT_VARS = new Set<string>(AGENT_ENV_VARS);

/** Read by a service but set by docker-compose.yml itself, and why. */
const FIXED_BY_COMPOSE: Record<string, string> = {
  PORT: 'the API listens on 8080 in its container; PORT is the port published on the host',
  HOST: 'the API listens on every address of its container',
  DATABASE_URL: 'compose runs its own PostgreSQL (POSTGRES_* choose its credentials)',
  PORTPRESSURE_WEB_DIR: 'the UI is built into the image',
  PORTPRESSURE_AGENT_DIST_DIR: 'the agent build served to hosts is built into the image',
  PORTPRESSURE_SERVER_URL: 'the agent reaches the API through the port published on the host',
  PORTPRESSURE_STATE_DIR: 'the agent keeps its state in the agentstate volume',
};
/** Read only by `npm start` (scripts/start.ts), which compose does not run. */
const NPM_START_ONLY = new Set(['PORTPRESSURE_DATA_DIR', 'PORTPRESSURE_PG_PORT', 'PORTPRESSURE_LOCAL_AGENT']);
/** Read by the postgres image. */
const POSTGRES_VARS = new Set(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']);

/** A valid value for every documented variable, each different from its default. */
const CUSTOM: Record<string, string> = {
  PORT: '18080',
  HOST: '127.0.0.1',
  DATABASE_URL: 'postgresql://elsewhere:5432/x',
  PORTPRESSURE_INTERVAL_SECONDS: '7',
  PORTPRESSURE_WEB_DIR: '/srv/ui',
  PORTPRESSURE_AGENT_DIST_DIR: '/srv/agent-dist',
  PORTPRESSURE_ENROLLMENT_TOKEN_FILE: '/run/secrets/enrollment-token',
  PORTPRESSURE_LOG_LEVEL: 'debug',
  PORTPRESSURE_LOG_FORMAT: 'json',
  PORTPRESSURE_ADMIN_PASSWORD: 'compose-admin-password',
  PORTPRESSURE_SESSION_HOURS: '12',
  PORTPRESSURE_LOGIN_MAX_ATTEMPTS: '3',
  PORTPRESSURE_TRUST_PROXY: 'loopback,10.0.0.0/8',
  PORTPRESSURE_ENROLLMENT_TOKEN: 'compose-enrollment-token-0123456789',
  PORTPRESSURE_AGENT_RATE_LIMIT: '20',
  PORTPRESSURE_METRICS_TOKEN: 'compose-metrics-token-0123',
  PORTPRESSURE_METRICS_TOP_TUPLES: '9',
  PORTPRESSURE_LOGIN_MAX_ATTEMPTS_PER_USER: '11',
  PORTPRESSURE_LOGIN_MAX_ATTEMPTS_GLOBAL: '111',
  PORTPRESSURE_LOGIN_QUEUE: '3',
  PORTPRESSURE_ENROLL_RATE_LIMIT: '7',
  PORTPRESSURE_AGENT_UPGRADE_FAILURES: '9',
  PORTPRESSURE_AGENT_BYTES_PER_SECOND: '65536',
  PORTPRESSURE_INGEST_QUEUE_TUPLES: '50000',
  PORTPRESSURE_WEBHOOK_ALLOW: '127.0.0.1/32',
  PORTPRESSURE_PASSWORD_LOGIN: 'false',
  PORTPRESSURE_RETENTION_RAW_DAYS: '2',
  PORTPRESSURE_RETENTION_MINUTE_DAYS: '9',
  PORTPRESSURE_RETENTION_HOUR_DAYS: '400',
  PORTPRESSURE_RETENTION_DELIVERY_DAYS: '14',
  PORTPRESSURE_RETENTION_INCIDENT_DAYS: '60',
  PORTPRESSURE_ARCHIVE_AFTER_DAYS: '45',
  PORTPRESSURE_MAINTENANCE_MINUTES: '5',
  PORTPRESSURE_EGRESS_LABEL: 'nat-gateway',
  PORTPRESSURE_EGRESS_DEFAULT_LIMIT: '64000',
  PORTPRESSURE_AUDIT_RETENTION_DAYS: '90',
  PORTPRESSURE_OIDC_ISSUER: 'https://id.example.org/realms/ops',
  PORTPRESSURE_OIDC_CLIENT_ID: 'portpressure-compose',
  PORTPRESSURE_OIDC_CLIENT_SECRET: 'compose-oidc-secret',
  PORTPRESSURE_OIDC_SCOPES: 'openid profile email groups',
  PORTPRESSURE_OIDC_LABEL: 'Sign in with Example ID',
  PORTPRESSURE_OIDC_USERNAME_CLAIM: 'email',
  PORTPRESSURE_OIDC_GROUPS_CLAIM: 'roles',
  PORTPRESSURE_OIDC_ROLE_MAP: 'sre=editor,platform=admin',
  PORTPRESSURE_OIDC_DEFAULT_ROLE: 'none',
  HTTPS_PROXY: 'http://proxy.example.org:3128',
  HTTP_PROXY: 'http://proxy.example.org:3129',
  NO_PROXY: 'localhost,.internal',
  PORTPRESSURE_PUBLIC_URL: 'https://pp.example.org',
  PORTPRESSURE_ALERT_TICK_SECONDS: '30',
  PORTPRESSURE_DELIVERY_POLL_MS: '2000',
  PORTPRESSURE_DELIVERY_TIMEOUT_MS: '3000',
  PORTPRESSURE_DELIVERY_BACKOFF_BASE_MS: '700',
  PORTPRESSURE_DELIVERY_BACKOFF_MAX_MS: '90000',
  PORTPRESSURE_DELIVERY_MAX_ATTEMPTS: '5',
  PORTPRESSURE_DELIVERY_CONCURRENCY: '2',
  PORTPRESSURE_DATA_DIR: '/srv/data',
  PORTPRESSURE_PG_PORT: '5499',
  PORTPRESSURE_LOCAL_AGENT: 'false',
  PORTPRESSURE_SERVER_URL: 'http://elsewhere:8080',
  PORTPRESSURE_LABELS: 'env=prod,team=payments',
  PORTPRESSURE_STATE_DIR: '/srv/agent',
  PORTPRESSURE_SOURCE: 'proc',
  PORTPRESSURE_MAX_PENDING: '100',
  POSTGRES_USER: 'ppuser',
  POSTGRES_PASSWORD: 'pppass',
  POSTGRES_DB: 'ppdb',
};

interface Rendered {
  services: Record<string, { environment?: Record<string, string | number | null>; ports?: unknown[] }>;
}

/** docker-compose.yml as Docker Compose itself renders it with `dotenv` as the project's .env. */
async function render(dotenv: Record<string, string>): Promise<Rendered> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-compose-'));
  try {
    await copyFile(path.join(REPO_ROOT, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
    await writeFile(
      path.join(dir, '.env'),
      Object.entries(dotenv)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    // only what .env says: none of this process's own variables may leak into the rendering
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
    const { stdout } = await run('docker-compose', ['--project-directory', dir, '-f', path.join(dir, 'docker-compose.yml'), 'config'], {
      cwd: dir,
      env,
    });
    return parse(stdout) as Rendered;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const asEnv = (e: Record<string, string | number | null> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(e ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));

describe.skipIf(lacks('compose settings pass-through', 'docker-compose'))(
  'docker-compose.yml passes every documented setting through',
  () => {
    let custom: Rendered;
    let minimal: Rendered;
    beforeAll(async () => {
      custom = await render(CUSTOM);
      minimal = await render({ PORTPRESSURE_ENROLLMENT_TOKEN: CUSTOM.PORTPRESSURE_ENROLLMENT_TOKEN! });
    }, 60_000);

    it('knows where each documented variable goes', () => {
      const unplaced = [...documented.keys()].filter(
        (v) => !API_VARS.has(v) && !AGENT_VARS.has(v) && !NPM_START_ONLY.has(v) && !POSTGRES_VARS.has(v),
      );
      expect(unplaced).toEqual([]);
      expect([...documented.keys()].filter((v) => CUSTOM[v] === undefined)).toEqual([]);
    });

    it('gives each service every variable it reads, with the value of .env', () => {
      const api = asEnv(custom.services.api?.environment);
      const agent = asEnv(custom.services.agent?.environment);
      const postgres = asEnv(custom.services.postgres?.environment);
      const lost: string[] = [];
      for (const name of documented.keys()) {
        if (FIXED_BY_COMPOSE[name] || NPM_START_ONLY.has(name)) continue;
        if (API_VARS.has(name) && api[name] !== CUSTOM[name]) lost.push(`api: ${name}=${api[name] ?? '(missing)'}`);
        if (AGENT_VARS.has(name) && agent[name] !== CUSTOM[name]) lost.push(`agent: ${name}=${agent[name] ?? '(missing)'}`);
        if (POSTGRES_VARS.has(name) && postgres[name] !== CUSTOM[name]) lost.push(`postgres: ${name}=${postgres[name] ?? '(missing)'}`);
      }
      expect(lost).toEqual([]);
      // the fixed ones still follow .env where it matters
      expect(custom.services.api?.ports).toEqual([{ published: Number(CUSTOM.PORT), target: 8080 }]);
      expect(api.DATABASE_URL).toBe(`postgresql://${CUSTOM.POSTGRES_USER}:${CUSTOM.POSTGRES_PASSWORD}@postgres:5432/${CUSTOM.POSTGRES_DB}`);
      expect(agent.PORTPRESSURE_SERVER_URL).toBe(`http://127.0.0.1:${CUSTOM.PORT}`);
    });

    it('hands the API and the agent a configuration they accept, holding the values of .env', () => {
      const api = loadApiConfig(asEnv(custom.services.api?.environment));
      expect(api.alerts.publicUrl).toBe(CUSTOM.PORTPRESSURE_PUBLIC_URL);
      expect(api.metrics).toEqual({ token: CUSTOM.PORTPRESSURE_METRICS_TOKEN, topTuples: 9 });
      expect(api.logFormat).toBe('json');
      expect(api.sessionHours).toBe(12);
      expect(api.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
      const agent = loadRunConfig([], asEnv(custom.services.agent?.environment));
      expect(agent).toMatchObject({
        intervalSeconds: 7,
        source: 'proc',
        maxPending: 100,
        labels: { env: 'prod', team: 'payments' },
        logLevel: 'debug',
      });
    });

    it('uses the defaults of .env.example when .env sets nothing', () => {
      const api = asEnv(minimal.services.api?.environment);
      const agent = asEnv(minimal.services.agent?.environment);
      const differ: string[] = [];
      for (const [name, byDefault] of documented) {
        if (byDefault === undefined || FIXED_BY_COMPOSE[name] || NPM_START_ONLY.has(name) || POSTGRES_VARS.has(name)) continue;
        if (API_VARS.has(name) && api[name] !== byDefault) differ.push(`api: ${name}=${api[name]} (.env.example: ${byDefault})`);
        if (AGENT_VARS.has(name) && agent[name] !== byDefault) differ.push(`agent: ${name}=${agent[name]} (.env.example: ${byDefault})`);
      }
      expect(differ).toEqual([]);
      // and an empty optional setting means "unset" to the API, not an invalid value
      const config = loadApiConfig(api);
      expect(config.alerts.publicUrl).toBe('http://localhost:8080');
      expect(config.metrics.token).toBeUndefined();
      expect(loadRunConfig([], agent).labels).toEqual({});
    });
  },
);
