import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RELEASE_VERSION, fleetSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, TEST_ENROLLMENT_TOKEN, type ApiHarness } from '../../apps/api/test/support/api-harness.ts';
import { buildAgentForTest } from './support/agent-build.ts';

const USER = 'portpressure-agent';

/**
 * Runs the served script as root, the way `curl … | sudo sh -s -- …` would. Asynchronously: the
 * API answering its downloads runs in this process.
 */
function runScript(script: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

function userExists(): boolean {
  return spawnSync('id', [USER]).status === 0;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every file and link under `dir` (directories left empty do not count). */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isDirectory()) found.push(path.join(entry.parentPath, entry.name));
  }
  return found;
}

describe.skipIf(process.getuid?.() !== 0)('the install script served by the API (as root, temporary prefix, no systemd)', () => {
  let build: { dir: string; remove(): void };
  let api: ApiHarness;
  let prefix: string;
  let script: string;
  const pidFile = () => path.join(prefix, 'run/portpressure-agent.pid');
  const pid = () => Number(readFileSync(pidFile(), 'utf8').trim());

  beforeAll(async () => {
    expect(userExists(), `a user ${USER} exists already; this test creates and removes it`).toBe(false);
    build = await buildAgentForTest();
    api = await startApiHarness({ PORTPRESSURE_AGENT_DIST_DIR: build.dir });
    prefix = mkdtempSync(path.join(os.tmpdir(), 'pp-install-'));
    // mkdtemp makes it 0700: the agent's own user must be able to reach its binary inside.
    chmodSync(prefix, 0o755);
  }, 240_000);

  afterAll(async () => {
    // Whatever happened above, leave no agent process or user behind.
    if (prefix && existsSync(pidFile()) && running(pid())) process.kill(pid(), 'SIGKILL');
    if (userExists()) spawnSync('userdel', [USER]);
    await api?.stop();
    build?.remove();
    if (prefix) rmSync(prefix, { recursive: true, force: true });
    if (script) rmSync(script, { force: true });
  });

  async function hostsLabelled(value: string) {
    const fleet = fleetSchema.parse(await (await api.authedFetch('/api/fleet')).json());
    return fleet.hosts.filter((h) => h.labels['install'] === value);
  }

  async function waitForReport(value: string, after = 0): Promise<string> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const [host] = await hostsLabelled(value);
      if (host?.lastSeenAt && Date.parse(host.lastSeenAt) > after) return host.id;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `no report from the installed agent; its log:\n${readFileSync(path.join(prefix, 'var/log/portpressure-agent.log'), 'utf8')}`,
    );
  }

  it('is served with this server as its default and fetches nothing from anywhere else', async () => {
    const res = await fetch(`${api.api.url}/install.sh`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/x-shellscript');
    const text = await res.text();
    expect(text).toContain(`PP_DEFAULT_SERVER="${api.api.url}"`);
    const urls = [...text.matchAll(/https?:\/\/[^\s"'$)]+/g)].map((m) => m[0]);
    expect(urls.filter((u) => !u.startsWith(api.api.url) && !/^http:\/\/SERVER/.test(u))).toEqual([]);
    script = path.join(prefix, '..', `${path.basename(prefix)}-install.sh`);
    writeFileSync(script, text);
  });

  it('refuses a download that is not one of the agent files', async () => {
    const res = await fetch(`${api.api.url}/downloads/agent/..%2f..%2fpackage.json`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('AGENT_DOWNLOAD_NOT_FOUND');
  });

  it('installs, enrolls and starts the agent; the host shows up in GET /api/fleet', async () => {
    const run = await runScript(script, [
      '--token',
      TEST_ENROLLMENT_TOKEN,
      '--label',
      'install=first',
      '--interval',
      '1',
      '--prefix',
      prefix,
    ]);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(`installed the agent ${RELEASE_VERSION}`);
    expect(run.output).toContain('systemd is not running here');
    expect(run.output).toContain('enrolled and running');
    await waitForReport('first');

    const bin = path.join(prefix, 'usr/local/bin/portpressure-agent');
    expect(spawnSync(bin, ['--version']).stdout.toString().trim()).toBe(RELEASE_VERSION);
    // The agent runs as its own user, its state is private, the shared token is gone once enrolled.
    const uid = Number(spawnSync('id', ['-u', USER]).stdout.toString());
    expect(statSync(`/proc/${pid()}`).uid).toBe(uid);
    const state = statSync(path.join(prefix, 'var/lib/portpressure-agent'));
    expect(state.mode & 0o777).toBe(0o700);
    expect(state.uid).toBe(uid);
    expect(statSync(path.join(prefix, 'etc/portpressure-agent/agent.env')).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(prefix, 'etc/portpressure-agent/enrollment-token'))).toBe(false);
  });

  it('writes a systemd unit that systemd-analyze verify accepts', () => {
    const unit = path.join(prefix, 'etc/systemd/system/portpressure-agent.service');
    const text = readFileSync(unit, 'utf8');
    expect(text).toContain(`ExecStart=${path.join(prefix, 'usr/local/bin/portpressure-agent')} run`);
    for (const line of [
      'User=portpressure-agent',
      'StateDirectoryMode=0700',
      'ProtectSystem=strict',
      'Restart=on-failure',
      'CapabilityBoundingSet=',
      'NoNewPrivileges=yes',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
  });

  it('upgrades in place when run again: same host, same credential, a new process', async () => {
    const firstPid = pid();
    const [before] = await hostsLabelled('first');
    const credential = readFileSync(path.join(prefix, 'var/lib/portpressure-agent/credential.json'), 'utf8');
    const run = await runScript(script, ['--prefix', prefix]);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(`upgraded the agent in place: ${RELEASE_VERSION} -> ${RELEASE_VERSION}`);
    expect(running(firstPid)).toBe(false);
    expect(pid()).not.toBe(firstPid);
    expect(readFileSync(path.join(prefix, 'var/lib/portpressure-agent/credential.json'), 'utf8')).toBe(credential);
    // Labels and interval were kept from the first run; it reports again as the same host.
    const id = await waitForReport('first', Date.parse(before!.lastSeenAt!));
    expect(id).toBe(before!.id);
    expect(await hostsLabelled('first')).toHaveLength(1);
  });

  it('refuses a bad option and changes nothing', async () => {
    // What the script installed, with its contents (the running agent's own state and log change on their own).
    const installed = () =>
      filesUnder(prefix)
        .filter((f) => !f.includes('/var/lib/') && !f.includes('/var/log/'))
        .sort()
        .map((f) => `${f} ${readFileSync(f).toString('base64').length} ${statSync(f).mtimeMs}`);
    const before = installed();
    const run = await runScript(script, ['--prefix', prefix, '--label', 'no-equals-sign']);
    expect(run.status).toBe(1);
    expect(run.output).toContain('must look like key=value');
    expect(installed()).toEqual(before);
    expect(running(pid())).toBe(true);
  });

  it('--uninstall stops the agent and leaves nothing behind', async () => {
    const agentPid = pid();
    const run = await runScript(script, ['--uninstall', '--prefix', prefix]);
    expect(run.status, run.output).toBe(0);
    expect(running(agentPid)).toBe(false);
    expect(filesUnder(prefix)).toEqual([]);
    expect(userExists()).toBe(false);
  });
});
