import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fleetSchema } from '@portpressure/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../apps/api/src/config/config.ts';
import { freePort } from '../../apps/api/src/database/embedded-postgres.ts';
import { descendants, isAlive, processesMatching } from './process-tree.ts';
import { GiveUp, waitUntil } from '../support/wait.ts';

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** Runs npm start's entry point exactly as `npm start` does after building the UI. */
function startEntryPoint(env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/start.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

/** waitUntil that stops at once, with the output, when `npm start` has exited. */
function waitWhileRunning<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, started: Started): Promise<T> {
  const guarded = async () => {
    if (started.child.exitCode !== null) throw new GiveUp(`npm start exited early:\n${started.output()}`);
    return probe();
  };
  return waitUntil(what, guarded, timeoutMs, started.output);
}

/** Signs in as admin and returns the session cookie for later requests. */
async function signIn(base: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-start-'));
  await chmod(dir, 0o755);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** npm start on a free loopback port with `dataDir`, killed after the test if still running; `base` is its URL. */
async function startServing(dataDir: string, env: Record<string, string>): Promise<Started & { base: string }> {
  const port = await freePort();
  const s = startEntryPoint({ PORT: String(port), HOST: '127.0.0.1', PORTPRESSURE_DATA_DIR: dataDir, ...env });
  cleanups.push(async () => {
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
  });
  return { ...s, base: `http://127.0.0.1:${port}` };
}

describe('npm start', () => {
  it('serves the UI and this host, then leaves no process behind after SIGTERM', { timeout: 180_000 }, async () => {
    const dataDir = await tempDataDir();
    const s = await startServing(dataDir, {
      PORTPRESSURE_INTERVAL_SECONDS: '2',
      PORTPRESSURE_ADMIN_PASSWORD: '', // empty means unset: the API generates one
    });
    const { base } = s;
    const page = await waitWhileRunning(
      'the UI',
      async () => {
        const res = await fetch(base);
        return res.ok ? res.text() : undefined;
      },
      90_000,
      s,
    );
    expect(page).toContain('<div id="root">');
    // No PORTPRESSURE_ADMIN_PASSWORD: the API generated one and printed it once.
    const password = /admin password: ([\w-]{24})/.exec(s.output())?.[1];
    expect(password, s.output()).toBeDefined();
    expect((await fetch(`${base}/api/fleet`)).status).toBe(401);
    const cookie = await signIn(base, password!);
    const hosts = await waitWhileRunning(
      'this host in /api/fleet',
      async () => {
        const list = fleetSchema.parse(await (await fetch(`${base}/api/fleet`, { headers: { cookie } })).json()).hosts;
        return list.find((h) => h.hostname === os.hostname() && h.pressure !== null);
      },
      30_000,
      s,
    );
    expect(hosts.pressure).toBeGreaterThanOrEqual(0);

    const tree = descendants(s.child.pid!);
    expect(tree.some((p) => p.cmdline.includes('bin/postgres'))).toBe(true);
    expect(tree.some((p) => p.cmdline.includes('apps/agent/src/main.ts'))).toBe(true);
    expect(tree.some((p) => p.cmdline.includes('apps/api/src/main.ts'))).toBe(true);

    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    // every process it started is gone, and so is every postgres serving this data folder
    await expect.poll(() => tree.filter((p) => isAlive(p.pid)).map((p) => p.cmdline), { timeout: 10_000 }).toEqual([]);
    expect(processesMatching(dataDir)).toEqual([]);
  });

  it('reuses the data of a previous run', { timeout: 180_000 }, async () => {
    const dataDir = await tempDataDir();
    for (let run = 1; run <= 2; run++) {
      const s = await startServing(dataDir, { PORTPRESSURE_LOCAL_AGENT: 'false', PORTPRESSURE_ADMIN_PASSWORD: 'start-test-password' });
      const { base } = s;
      await waitWhileRunning('the API', async () => ((await fetch(`${base}/api/health`)).ok ? true : undefined), 90_000, s);
      const cookie = await signIn(base, 'start-test-password');
      expect((await fetch(`${base}/api/fleet`, { headers: { cookie } })).status).toBe(200);
      expect(s.output()).not.toContain('admin password:');
      if (run === 2) expect(s.output()).not.toContain('initialising PostgreSQL');
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    }
  });

  it('says plainly when the port is taken, and exits non-zero', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => blocker.close(() => r())));
    const port = (blocker.address() as net.AddressInfo).port;
    const s = startEntryPoint({ PORT: String(port), HOST: '127.0.0.1', PORTPRESSURE_DATA_DIR: await tempDataDir() });
    expect(await s.exit).toBe(1);
    expect(s.output()).toContain(`port ${port} is already in use`);
  });

  it('says plainly when the data folder is unusable, and exits non-zero', async () => {
    const file = path.join(await tempDataDir(), 'not-a-folder');
    await writeFile(file, 'x');
    const s = startEntryPoint({ PORT: String(await freePort()), HOST: '127.0.0.1', PORTPRESSURE_DATA_DIR: file });
    expect(await s.exit).toBe(1);
    expect(s.output()).toMatch(/data folder .*not-a-folder is not usable/);
    expect(descendants(s.child.pid!)).toEqual([]);
  });
});
