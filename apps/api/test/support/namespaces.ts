import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT, SocketDriver } from '../../../agent/test/netns/netns.ts';
import { TEST_ENROLLMENT_TOKEN, type ApiHarness } from './api-harness.ts';
import { spawnAgent, type AgentProcess } from './agent-process.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

const run = promisify(execFile);
const DRIVER = fileURLToPath(new URL('../../../agent/test/netns/socket-driver.ts', import.meta.url));

/**
 * A network namespace without a name, held only by its one process (`unshare -n`, which execs
 * the socket driver), as a container's is. Killing the process removes the namespace.
 */
export interface HeldNamespace {
  pid: number;
  /** /proc/<pid>/ns/net */
  path: string;
  driver: SocketDriver;
  /** Sets net.ipv4 sysctls inside it ("ip_local_port_range=30000 30019"). */
  sysctl(...settings: string[]): Promise<void>;
  kill(): Promise<void>;
}

export async function holdNamespace(): Promise<HeldNamespace> {
  const child: ChildProcessWithoutNullStreams = spawn(
    'unshare',
    ['-n', 'sh', '-c', `ip link set lo up && exec "$0" --import tsx "$1"`, process.execPath, DRIVER],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const driver = new SocketDriver(child);
  await driver.ready();
  const pid = child.pid!;
  const nsPath = `/proc/${pid}/ns/net`;
  return {
    pid,
    path: nsPath,
    driver,
    async sysctl(...settings) {
      await run('nsenter', [`--net=${nsPath}`, 'sysctl', '-qw', ...settings.map((s) => `net.ipv4.${s}`)]);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A real `portpressure-agent run` in the root namespace, enrolled with the harness, sampling every second. */
export async function startStreamingAgent(harness: ApiHarness): Promise<{ agent: AgentProcess; hostId: string; stop(): Promise<void> }> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'pp-ns-agent-'));
  const agent = spawnAgent(['--server', harness.api.url, '--interval', '1', '--state-dir', stateDir], {
    PORTPRESSURE_ENROLLMENT_TOKEN: TEST_ENROLLMENT_TOKEN,
  });
  const hostId = await waitUntil(
    'the agent to enroll and report',
    async () => (await harness.db.query<{ id: string }>('SELECT id FROM hosts WHERE last_seq > 0')).rows[0]?.id,
    60_000,
    () => agent.output(),
  );
  return {
    agent,
    hostId,
    async stop() {
      await agent.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
