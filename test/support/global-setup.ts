import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../apps/api/src/database/embedded-postgres.ts';
import { migrate } from '../../apps/api/src/database/migrator.ts';

import './database.ts'; // declares the values provided to test files

export const TEMPLATE_DB = 'portpressure_template';

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
// vitest reports failures by setting process.exitCode = 1 and letting the process end, so that
// handler turned every failed run into exit code 0 (CI passed whatever failed). This one runs
// first and exits with the code vitest set.
process.prependListener('beforeExit', () => process.exit(process.exitCode ?? 0));

function urlWithDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * One real PostgreSQL server for the whole run: the embedded one on a free port, or the server of
 * DATABASE_URL when it is set. A migrated template database is prepared once; each test file
 * copies it (test/support/database.ts), so files never see each other's rows.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let baseUrl: string;
  if (process.env.DATABASE_URL) {
    baseUrl = process.env.DATABASE_URL;
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-test-pg-'));
    await chmod(dataDir, 0o755); // the server runs as "postgres" when we are root
    embedded = await startEmbeddedPostgres({ dataDir, database: 'postgres', unsafeFast: true });
    baseUrl = embedded.url;
  }
  // Each tier (vitest project) runs this setup; with one DATABASE_URL server they need their own template.
  const template = `${TEMPLATE_DB}_${project.name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  const admin = new pg.Client({ connectionString: urlWithDatabase(baseUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  await migrate(urlWithDatabase(baseUrl, template));
  project.provide('pgUrlTemplate', urlWithDatabase(baseUrl, '{db}').replace('%7Bdb%7D', '{db}'));
  project.provide('pgTemplateDatabase', template);
  return async () => {
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
