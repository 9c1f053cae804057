import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../apps/api/src/config/config.ts';
import { API_NODE_FLAGS } from '../apps/api/src/node-flags.ts';

export interface ApiProcessOptions {
  databaseUrl: string;
  /** More environment for the API (credentials, tokens…); PORT, HOST and the log level are set here. */
  env: Record<string, string>;
  /** Where the API's output goes (the benchmarks print their own progress). */
  logFile: string;
  /** Node options before the entry point, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/**
 * Starts the real API as `npm start` does (its node options, tsx with the API's tsconfig) on a
 * free loopback port, for the benchmarks; resolves with the child process and its URL once the
 * API reports ready over IPC.
 */
export async function startApiProcess(options: ApiProcessOptions): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [...API_NODE_FLAGS, ...(options.nodeArgs ?? []), '--import', 'tsx', path.join(REPO_ROOT, 'apps/api/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'apps/api/tsconfig.json'),
        DATABASE_URL: options.databaseUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        PORTPRESSURE_LOG_LEVEL: 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const log = createWriteStream(options.logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m?.type === 'api-ready' && m.url) resolve(m.url);
    });
    child.once('exit', (code) => reject(new Error(`the API exited during start-up (code ${code}); see ${options.logFile}`)));
  });
  return { child, url };
}

/**
 * Starts the API for a simulated fleet: a fresh enrollment token (resolved with the process) and
 * admin password, and an enrollment rate limit high enough for the whole fleet to enroll within a
 * second at start, beyond the installation's default of 30 enrollments a minute (a guard against
 * floods, docs/security.md).
 */
export async function startFleetApiProcess(
  options: Omit<ApiProcessOptions, 'env'>,
): Promise<{ child: ChildProcess; url: string; enrollmentToken: string }> {
  const enrollmentToken = `ppe_${randomBytes(32).toString('base64url')}`;
  const started = await startApiProcess({
    ...options,
    env: {
      PORTPRESSURE_ENROLLMENT_TOKEN: enrollmentToken,
      PORTPRESSURE_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
      PORTPRESSURE_ENROLL_RATE_LIMIT: '100000',
    },
  });
  return { ...started, enrollmentToken };
}
