import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type StartedApi } from '../src/app.ts';
import { loadApiConfig } from '../src/config/config.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/database/embedded-postgres.ts';
import { useApiHarness } from './support/api-harness.ts';
import { waitUntil } from '../../../test/support/wait.ts';

describe('probes and unknown paths', () => {
  const h = useApiHarness();

  it('answers /healthz and /readyz without sign-in, as JSON', async () => {
    const live = await fetch(`${h.api.url}/healthz`);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${h.api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', ingest: 'ok' } });
  });

  it('says which migration is missing', async () => {
    await h.db.query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '20261204001300_api_tokens'`);
    try {
      const res = await fetch(`${h.api.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        status: 'not ready',
        checks: { database: 'ok', migrations: 'not applied: 20261204001300_api_tokens' },
      });
    } finally {
      await h.db.query(`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = '20261204001300_api_tokens'`);
    }
    expect((await fetch(`${h.api.url}/readyz`)).status).toBe(200);
  });

  it('answers 404 for paths outside the UI instead of the app page', async () => {
    for (const p of ['/nope', '/metricz', '/health', '/favicon.ico', '/hosts/x/y.png', '/.env', '/api/nope']) {
      const res = await fetch(`${h.api.url}${p}`);
      expect(res.status, p).toBe(404);
      expect(res.headers.get('content-type'), p).toMatch(/^application\/json/);
      expect(await res.json(), p).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    }
    const post = await fetch(`${h.api.url}/nope`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('still serves the UI on its own routes', async () => {
    for (const p of ['/', '/hosts/00000000-0000-0000-0000-000000000000', '/alerts/rules', '/login', '/settings/tokens']) {
      const res = await fetch(`${h.api.url}${p}`);
      // 200 with the built UI, 503 with the "not built" page: either way the UI's page, not a 404
      expect([200, 503], p).toContain(res.status);
      expect(res.headers.get('content-type'), p).toMatch(/^text\/html/);
    }
  });
});

describe('/readyz across a PostgreSQL outage', () => {
  let dataDir: string;
  let pg: EmbeddedDatabase | undefined;
  let api: StartedApi | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-readyz-pg-'));
    await chmod(dataDir, 0o755); // the server runs as "postgres" when we are root
    pg = await startEmbeddedPostgres({ dataDir, database: 'readyz', unsafeFast: true });
  }, 120_000);

  afterAll(async () => {
    await api?.close().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fails while PostgreSQL is stopped and recovers when it is back, without restarting the API', async () => {
    const port = pg!.port;
    api = await startApi(
      loadApiConfig({
        DATABASE_URL: pg!.url,
        PORT: '0',
        HOST: '127.0.0.1',
        PORTPRESSURE_ADMIN_PASSWORD: 'test-admin-password',
        PORTPRESSURE_ENROLLMENT_TOKEN: 'test-enrollment-token-0123456789',
      }),
      { logger: false },
    );
    const readyz = async () => {
      const res = await fetch(`${api!.url}/readyz`);
      return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
    };
    /** Polls /readyz until it answers `status`, and resolves with that answer. */
    const readyzAnswers = (status: number, what: string) =>
      waitUntil(
        what,
        async () => {
          const r = await readyz();
          return r.status === status ? r : undefined;
        },
        30_000,
      );
    expect((await readyz()).status).toBe(200);

    await pg!.stop();
    pg = undefined;
    const down = await readyzAnswers(503, '/readyz to fail');
    expect(down.body.status).toBe('not ready');
    expect(down.body.checks.database).toMatch(/^unreachable: /);
    // alive all the same: a liveness probe must not get the API restarted for a database outage
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);

    pg = await startEmbeddedPostgres({ dataDir, port, database: 'readyz', unsafeFast: true });
    const up = await readyzAnswers(200, '/readyz to recover');
    expect(up.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', ingest: 'ok' } });
  }, 120_000);
});
