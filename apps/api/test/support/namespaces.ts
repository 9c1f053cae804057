import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * A real `portpressure-agent run` in the root namespace, enrolled with the harness, sampling every
 * second; as root, or as the unprivileged user `uid` (its own state folder and home).
 */
export async function startStreamingAgent(
  harness: ApiHarness,
  uid?: number,
): Promise<{ agent: AgentProcess; hostId: string; stop(): Promise<void> }> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'pp-ns-agent-'));
  const prefix: string[] = [];
  if (uid !== undefined) {
    chownSync(stateDir, uid, uid);
    prefix.push('setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'env', `HOME=${stateDir}`);
  }
  const agent = spawnAgent(
    ['--server', harness.api.url, '--interval', '1', '--state-dir', stateDir],
    { PORTPRESSURE_ENROLLMENT_TOKEN: TEST_ENROLLMENT_TOKEN },
    prefix,
  );
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

/** A cgroup hierarchy this machine lets the test write (cgroup v1's pids, or v2). */
function writableCgroupRoot(): string {
  for (const root of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    if (existsSync(path.join(root, 'cgroup.procs'))) return root;
  }
  throw new Error('no cgroup hierarchy to place the pod-like process in');
}

const CONTAINERD_BUNDLES = '/run/containerd/io.containerd.runtime.v2.task/k8s.io';

export interface PodLike {
  podName: string;
  podNamespace: string;
  containerName: string;
  containerId: string;
  podUid: string;
  /** Moves the process back out and removes the cgroups and the bundle this made. */
  remove(): void;
}

/**
 * Makes a process look like a Kubernetes pod's container to the agent, from exactly what a node
 * has: its cgroup path (kubepods…pod<uid>…/cri-containerd-<id>.scope) and containerd's OCI
 * bundle for that id, whose annotations name the pod, its namespace and the container. Only
 * paths made here (random ids) are written and removed.
 */
export function makePodLike(pid: number, names: { podName: string; podNamespace: string; containerName: string }): PodLike {
  const podUid = randomUUID();
  const containerId = randomBytes(32).toString('hex');
  const root = writableCgroupRoot();
  const slices = [
    'kubepods.slice',
    'kubepods-besteffort.slice',
    `kubepods-besteffort-pod${podUid.replaceAll('-', '_')}.slice`,
    `cri-containerd-${containerId}.scope`,
  ];
  const leaf = path.join(root, ...slices);
  mkdirSync(leaf, { recursive: true });
  writeFileSync(path.join(leaf, 'cgroup.procs'), String(pid));
  const bundle = path.join(CONTAINERD_BUNDLES, containerId);
  mkdirSync(bundle, { recursive: true });
  writeFileSync(
    path.join(bundle, 'config.json'),
    JSON.stringify({
      ociVersion: '1.1.0',
      annotations: {
        'io.kubernetes.cri.container-type': 'container',
        'io.kubernetes.cri.container-name': names.containerName,
        'io.kubernetes.cri.sandbox-name': names.podName,
        'io.kubernetes.cri.sandbox-namespace': names.podNamespace,
        'io.kubernetes.cri.sandbox-uid': podUid,
      },
    }),
  );
  return {
    ...names,
    containerId,
    podUid,
    remove() {
      try {
        writeFileSync(path.join(root, 'cgroup.procs'), String(pid));
      } catch {
        // The process has exited: the cgroup is empty already.
      }
      // Innermost first; a directory another test still uses (kubepods.slice) stays.
      for (let depth = slices.length; depth > 0; depth--) {
        try {
          rmdirSync(path.join(root, ...slices.slice(0, depth)));
        } catch {
          break;
        }
      }
      rmSync(bundle, { recursive: true, force: true });
      // The bundle's parents only if this made them (a node's containerd keeps its own files there).
      for (let dir = CONTAINERD_BUNDLES; dir !== '/run'; dir = path.dirname(dir)) {
        try {
          rmdirSync(dir);
        } catch {
          break;
        }
      }
    },
  };
}
