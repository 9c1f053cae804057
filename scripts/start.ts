/**
 * `npm start`: everything on one machine. Starts, in order, an embedded PostgreSQL (unless
 * DATABASE_URL is set), the API serving the built UI, and an agent reporting this host, each as
 * a child process in its own process group. Ctrl-C or SIGTERM stops them in reverse order; a child
 * that dies takes the others down with it. Children also stop by themselves if this process
 * vanishes (their IPC channel closes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unusableDirReason } from '../apps/api/src/database/data-dir.ts';
import { AGENT_ENV } from '../apps/agent/src/node-flags.ts';
import { API_NODE_FLAGS } from '../apps/api/src/node-flags.ts';
import { loadStartConfig, type StartConfig } from './start-config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

class StartError extends Error {}

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

const children: Child[] = [];
let stopping = false;

function say(message: string): void {
  console.log(`[portpressure] ${message}`);
}

async function checkPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new StartError(
          error.code === 'EADDRINUSE'
            ? `port ${port} is already in use on ${host}. Stop whatever listens there, or set PORT to another port.`
            : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      );
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

async function checkDataDir(dir: string): Promise<void> {
  const reason = await unusableDirReason(dir);
  if (reason !== null) {
    throw new StartError(`the data folder ${dir} is not usable (${reason}). Set PORTPRESSURE_DATA_DIR to a writable folder.`);
  }
}

/**
 * The enrollment token shared by the API and the local agent: the configured one, else the one
 * kept in the data folder (0600), else a new one saved there. Keeping it in the data folder, not
 * only in the API's database, lets a later start enroll the local agent again without anyone
 * copying a token from a log (if its state was lost, once an admin revoked the old credential:
 * an active host is never re-enrolled by the token alone).
 */
async function enrollmentToken(config: StartConfig): Promise<string> {
  if (config.enrollmentToken) return config.enrollmentToken;
  const file = path.join(config.dataDir, 'enrollment-token');
  const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (saved.length >= 32) return saved;
  const token = `ppe_${randomBytes(32).toString('base64url')}`;
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  say(`generated an enrollment token for agents on other machines (kept in ${file}):`);
  say(`  portpressure-agent run --server http://<this host>:${config.port} --enrollment-token ${token}`);
  return token;
}

/** Starts `node [nodeFlags] --import tsx <file>` and waits for its `ready` IPC message. */
function startChild<T>(
  name: string,
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyType: string | null,
  nodeFlags: readonly string[] = [],
): Promise<T | undefined> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(ROOT, file), ...args], {
    cwd: ROOT,
    // tsx takes compiler options (decorators) from this tsconfig rather than the root one
    env: { ...env, TSX_TSCONFIG_PATH: path.join(ROOT, file.split('/src/')[0] ?? '', 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true, // own process group: a terminal's Ctrl-C reaches only us, and we stop children in order
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  children.push({ name, process: child, exited });
  void exited.then((code) => {
    if (!stopping) {
      console.error(`[portpressure] ${name} exited unexpectedly (code ${code}); stopping everything`);
      void shutdown(1);
    }
  });
  if (readyType === null) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    child.on('message', (message: { type?: string }) => {
      if (message?.type === readyType) resolve(message as T);
    });
    void exited.then((code) => reject(new StartError(`${name} failed to start (exit code ${code}); see its messages above`)));
  });
}

async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
  if ((await Promise.race([child.exited, timeout])) === 'timeout') {
    say(`${child.name} did not stop within 15 s; killing it`);
    child.process.kill('SIGKILL');
    await child.exited;
  }
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const child of [...children].reverse()) await stopChild(child);
    if (code === 0) say('stopped');
  }
  process.exit(code);
}

async function main(config: StartConfig): Promise<void> {
  await checkPortFree(config.host, config.port);
  await checkDataDir(config.dataDir);
  const baseEnv = {
    ...process.env,
    PORTPRESSURE_DATA_DIR: config.dataDir,
    PORTPRESSURE_ENROLLMENT_TOKEN: await enrollmentToken(config),
  };

  let databaseUrl = config.databaseUrl;
  if (databaseUrl) {
    say('using the PostgreSQL server of DATABASE_URL');
  } else {
    say(`starting the embedded PostgreSQL (data in ${config.dataDir})`);
    const db = await startChild<{ url: string }>('postgres', 'apps/api/src/database/embedded-db-main.ts', [], baseEnv, 'db-ready');
    databaseUrl = db?.url;
  }
  say('starting the API');
  const api = await startChild<{ url: string; port: number }>(
    'api',
    'apps/api/src/main.ts',
    [],
    { ...baseEnv, DATABASE_URL: databaseUrl, PORT: String(config.port), HOST: config.host },
    'api-ready',
    API_NODE_FLAGS,
  );
  if (config.localAgent) {
    say('starting an agent for this machine');
    await startChild(
      'agent',
      'apps/agent/src/main.ts',
      ['run'],
      {
        ...baseEnv,
        PORTPRESSURE_SERVER_URL: `http://127.0.0.1:${api?.port ?? config.port}`,
        PORTPRESSURE_STATE_DIR: path.join(config.dataDir, 'agent'),
        ...AGENT_ENV,
      },
      null,
    );
  }
  say(`Portpressure is running at http://localhost:${config.port}  (Ctrl-C to stop)`);
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
try {
  process.loadEnvFile(path.join(ROOT, '.env'));
} catch {
  // no .env: defaults and the real environment apply
}
try {
  await main(loadStartConfig(process.env, ROOT));
} catch (error) {
  console.error(`[portpressure] ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
