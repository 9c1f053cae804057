import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RELEASE_VERSION, fleetSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, TEST_ENROLLMENT_TOKEN, type ApiHarness } from '../../apps/api/test/support/api-harness.ts';
import { buildAgentForTest } from './support/agent-build.ts';

/** What a glibc system has anyway: the C (and C++) runtime and the dynamic loader. */
const RUNTIME_LIBRARIES =
  /^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libgcc_s\.so\.1|libstdc\+\+\.so\.6|\/lib64\/ld-linux-x86-64\.so\.2)$/;

/** Finds `name` in a PATH the way a shell would. */
function which(name: string, searchPath: string): string | undefined {
  return searchPath
    .split(':')
    .map((dir) => path.join(dir, name))
    .find((file) => existsSync(file));
}

describe('the self-contained agent (Node single executable application)', () => {
  let build: { dir: string; remove(): void };
  let api: ApiHarness;
  let work: string;
  let executable: string;
  /** Holds only `ss` (the netlink source), so neither node nor anything else from the machine is on it. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    build = await buildAgentForTest();
    api = await startApiHarness();
    work = mkdtempSync(path.join(os.tmpdir(), 'pp-sea-'));
    const alone = path.join(work, 'alone');
    mkdirSync(alone);
    executable = path.join(alone, 'portpressure-agent-linux-x64');
    copyFileSync(path.join(build.dir, 'portpressure-agent-linux-x64'), executable);
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    symlinkSync(spawnSync('sh', ['-c', 'command -v ss']).stdout.toString().trim(), path.join(bin, 'ss'));
    env = { PATH: bin, HOME: work, LANG: 'C' };
  }, 240_000);

  afterAll(async () => {
    await api?.stop();
    build?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs from an otherwise empty folder with no node on PATH, and knows its version', () => {
    expect(readdirSync(path.dirname(executable))).toEqual(['portpressure-agent-linux-x64']);
    expect(which('node', env.PATH!)).toBeUndefined();
    const version = spawnSync(executable, ['--version'], { env, cwd: path.dirname(executable) });
    expect(version.stderr.toString()).toBe('');
    expect(version.stdout.toString().trim()).toBe(RELEASE_VERSION);
  });

  it('links only the C runtime', () => {
    const ldd = spawnSync('ldd', [executable]);
    expect(ldd.status).toBe(0);
    const libraries = ldd.stdout
      .toString()
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter(Boolean);
    expect(libraries.length).toBeGreaterThan(2);
    expect(libraries.filter((lib) => !RUNTIME_LIBRARIES.test(lib))).toEqual([]);
  });

  it('answers check --json', () => {
    const check = spawnSync(executable, ['check', '--json'], { env, cwd: path.dirname(executable) });
    expect(check.stderr.toString()).toBe('');
    expect([0, 1, 2]).toContain(check.status);
    const result = JSON.parse(check.stdout.toString()) as {
      status: string;
      report: { source: string; range: { low: number; high: number } };
    };
    expect(['OK', 'WARNING', 'CRITICAL']).toContain(result.status);
    expect(result.report.source).toBe('netlink'); // ss was found through the bare PATH
    expect(result.report.range.low).toBeGreaterThan(0);
  });

  it('enrolls with the real API and reports until SIGTERM', async () => {
    const stateDir = path.join(work, 'state');
    const child = spawn(
      executable,
      [
        'run',
        '--server',
        api.api.url,
        '--enrollment-token',
        TEST_ENROLLMENT_TOKEN,
        '--state-dir',
        stateDir,
        '--interval',
        '1',
        '--label',
        'built=sea',
      ],
      {
        env,
        cwd: path.dirname(executable),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      let reported = false;
      while (!reported && Date.now() < deadline) {
        const fleet = fleetSchema.parse(await (await api.authedFetch('/api/fleet')).json());
        reported = fleet.hosts.some((h) => h.labels['built'] === 'sea' && h.lastSeenAt !== null);
        if (!reported) await new Promise((r) => setTimeout(r, 200));
      }
      expect(reported, `the host did not show up in GET /api/fleet; agent output:\n${output}`).toBe(true);
      expect(existsSync(path.join(stateDir, 'credential.json'))).toBe(true);
      // Healthy once a snapshot was taken while streaming (the health file is rewritten per snapshot).
      let health = spawnSync(executable, ['health', '--state-dir', stateDir], { env });
      for (let i = 0; i < 50 && health.status !== 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        health = spawnSync(executable, ['health', '--state-dir', stateDir], { env });
      }
      expect(health.status, health.stderr.toString()).toBe(0);
      expect(health.stdout.toString()).toContain('healthy: connected to the server');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: stopped');
    // Stopped: the health check says so (the server is no longer heard from by a live agent).
    const after = spawnSync(executable, ['health', '--state-dir', stateDir], { env });
    expect(after.status === 0 ? 'healthy' : 'unhealthy').toBe('unhealthy');
  });
});
