import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, SocketDriver } from '../../../agent/test/netns/netns.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

const run = promisify(execFile);
const DRIVER = path.join(REPO_ROOT, 'apps/agent/test/netns/socket-driver.ts');

/** The cgroup hierarchy a test pod's process is moved into: the unified one, or systemd's named v1 one. */
function cgroupRoot(): string {
  if (existsSync('/sys/fs/cgroup/cgroup.procs')) return '/sys/fs/cgroup';
  if (existsSync('/sys/fs/cgroup/systemd/cgroup.procs')) return '/sys/fs/cgroup/systemd';
  return '/sys/fs/cgroup/unified';
}

/** A process started in the lab, with what it printed for failure messages. */
export interface LabProcess {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited: Promise<number | null>;
}

/** A namespace made in the lab with a socket driver holding it. */
export interface LabNamespace {
  driver: SocketDriver;
  /** Its nsfs inode, as the agent reports it. */
  inode: number;
}

/**
 * A small "node" for an agent in the root network namespace: a PID and mount namespace of its own
 * (with its own /proc and /run/netns), so the agent sees exactly the namespaces a test makes
 * here, and none of the other namespaces of a machine shared with other test runs. Inside it:
 *
 * - `pod()`: a network namespace held by a process as the kubelet would leave it: in a
 *   `kubepods…pod<uid>.slice/cri-containerd-<id>.scope` cgroup, its /etc/hostname the pod's name
 *   and the service account's namespace file beside it (in a mount namespace of its own);
 * - `named()`: an `ip netns add` namespace;
 * - `agent()`: the real `portpressure-agent run`, which finds and names them as on a real node.
 *
 * `destroy()` kills the lab's init, which takes every process in it, and with the lab's mount
 * namespace the named namespaces' mounts; nothing is left under the host's /run/netns.
 */
export class WorkloadLab {
  private readonly processes = new Set<LabProcess>();
  private readonly cgroups: string[] = [];

  private constructor(
    private readonly holder: ChildProcessWithoutNullStreams,
    /** The lab's init, as this (the root) PID namespace numbers it: what nsenter targets. */
    private readonly init: number,
    private readonly dir: string,
  ) {}

  static async create(): Promise<WorkloadLab> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-lab-'));
    const holder = spawn(
      'unshare',
      [
        '--pid',
        '--fork',
        '--kill-child',
        '--mount',
        '--mount-proc',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount -t tmpfs lab /run/netns && echo ready && exec sleep infinity',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    holder.stdout.on('data', (d: Buffer) => (output += d.toString()));
    holder.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await waitUntil('the lab to start', () => {
      if (holder.exitCode !== null) throw new Error(`the lab exited: ${output}`);
      return output.includes('ready');
    });
    const children = (await readFile(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8')).trim();
    return new WorkloadLab(holder, Number(children.split(/\s+/)[0]), dir);
  }

  /** Runs `args` inside the lab (its PID and mount namespaces; still the root network namespace). */
  spawn(args: string[], env: Record<string, string> = {}): LabProcess {
    const child = spawn('nsenter', ['-t', String(this.init), '-p', '-m', `--wd=${REPO_ROOT}`, '--', ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const p: LabProcess = { child, output: () => output, exited };
    this.processes.add(p);
    void exited.then(() => this.processes.delete(p));
    return p;
  }

  private async exec(args: string[]): Promise<string> {
    const { stdout } = await run('nsenter', ['-t', String(this.init), '-p', '-m', '--', ...args]);
    return stdout;
  }

  private async startDriver(p: LabProcess): Promise<SocketDriver> {
    const driver = new SocketDriver(p.child);
    await driver.ready();
    return driver;
  }

  /**
   * A Kubernetes pod's network namespace with port range `range` ("40000 40099"), named only the
   * ways a node names it: the agent must find the pod's name, namespace and uid by itself.
   */
  async pod(options: { name: string; namespace: string; range: string }): Promise<LabNamespace & { uid: string; containerId: string }> {
    const uid = randomUUID();
    const containerId = randomBytes(32).toString('hex');
    const slice = path.join(
      cgroupRoot(),
      'kubepods.slice',
      'kubepods-besteffort.slice',
      `kubepods-besteffort-pod${uid.replaceAll('-', '_')}.slice`,
    );
    const scope = path.join(slice, `cri-containerd-${containerId}.scope`);
    await mkdir(scope, { recursive: true });
    this.cgroups.push(scope, slice, path.dirname(slice), path.dirname(path.dirname(slice)));
    const hostname = path.join(this.dir, `${options.name}.hostname`);
    await writeFile(hostname, `${options.name}\n`);
    const secrets = '/var/run/secrets/kubernetes.io/serviceaccount';
    const script = [
      `echo $$ > ${scope}/cgroup.procs`,
      `mount --bind ${hostname} /etc/hostname`,
      // /var/run is a symlink to /run on most hosts: a tmpfs over /var puts the file at the path
      // the kubelet uses, inside this pod's mount namespace only.
      'mount -t tmpfs pod /var',
      `mkdir -p ${secrets}`,
      `echo ${options.namespace} > ${secrets}/namespace`,
      'ip link set lo up',
      `sysctl -qw net.ipv4.ip_local_port_range="${options.range}"`,
      `exec "${process.execPath}" --import tsx "${DRIVER}"`,
    ].join(' && ');
    const p = this.spawn(['unshare', '-n', '-m', '--propagation', 'private', 'sh', '-c', script]);
    const driver = await this.startDriver(p);
    const inode = Number((await this.exec(['sh', '-c', `stat -L -c %i /proc/$(cat ${scope}/cgroup.procs | head -1)/ns/net`])).trim());
    return { driver, inode, uid, containerId };
  }

  /** An `ip netns add` namespace with port range `range`, held open by a socket driver in it. */
  async named(name: string, range: string): Promise<LabNamespace & { remove(): Promise<void> }> {
    await this.exec(['ip', 'netns', 'add', name]);
    await this.exec(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    await this.exec(['ip', 'netns', 'exec', name, 'sysctl', '-qw', `net.ipv4.ip_local_port_range=${range}`]);
    const p = this.spawn(['ip', 'netns', 'exec', name, process.execPath, '--import', 'tsx', DRIVER]);
    const driver = await this.startDriver(p);
    const inode = Number((await this.exec(['stat', '-L', '-c', '%i', `/run/netns/${name}`])).trim());
    return {
      driver,
      inode,
      remove: async () => {
        // Closing its input ends the driver and its sockets; then nothing holds the namespace.
        p.child.stdin.end();
        await p.exited;
        await this.exec(['ip', 'netns', 'del', name]);
      },
    };
  }

  /** The real agent, streaming every namespace it sees here to the API each `intervalSeconds`. */
  agent(serverUrl: string, stateDir: string, enrollmentToken: string, intervalSeconds: number): LabProcess {
    const args = ['run', '--server', serverUrl, '--interval', String(intervalSeconds), '--state-dir', stateDir];
    const p = this.spawn([process.execPath, '--import', 'tsx', 'apps/agent/src/main.ts', ...args], {
      TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'apps/agent/tsconfig.json'),
      PORTPRESSURE_ENROLLMENT_TOKEN: enrollmentToken,
    });
    return p;
  }

  async destroy(): Promise<void> {
    const exits = [...this.processes].map((p) => p.exited);
    // SIGKILL: unshare then kills the lab's init (--kill-child), and the kernel every process in it.
    this.holder.kill('SIGKILL');
    await Promise.all(exits);
    for (const dir of this.cgroups) await rmdir(dir).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
