import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../src/config/config.ts';

const run = promisify(execFile);
let labCount = 0;

/** A process started inside the lab's namespace; JSON lines on its stdout become events. */
export interface LabProcess {
  child: ChildProcess;
  events: Record<string, unknown>[];
  output(): string;
  /** Resolves with the first event of this name. */
  event(name: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/**
 * A network namespace for one test, with its own port range, joined to the root namespace by a
 * veth pair on a private /30. Why a veth: the agent must run inside the namespace (it measures the
 * namespace's sockets), while the API and its PostgreSQL stay in the root namespace; a loopback
 * address is not reachable across namespaces, the /30 is, with nothing else in between.
 */
export class NetnsLab {
  private readonly children = new Set<ChildProcess>();

  private constructor(
    readonly name: string,
    /** The root namespace's end: bind the API here. */
    readonly hostAddress: string,
    /** The namespace's end. */
    readonly labAddress: string,
  ) {}

  static async create(portRange: [number, number]): Promise<NetnsLab> {
    // pid, a per-process counter and a random part: two labs of one file, or a lab left behind by a
    // killed run, never share a name (the veth names stay under the kernel's 15 characters).
    labCount += 1;
    const tag = `${process.pid % 10_000}${labCount % 100}${randomInt(100, 999)}`;
    const name = `pp-alert-${tag}`;
    // 10.213.0.0/16 is used by nothing else here; a random /30 keeps parallel runs apart.
    const block = randomInt(0, 16_384) * 4;
    const subnet = `10.213.${Math.floor(block / 256)}.`;
    const hostAddress = `${subnet}${(block % 256) + 1}`;
    const labAddress = `${subnet}${(block % 256) + 2}`;
    const outer = `ppa${tag}o`;
    const inner = `ppa${tag}i`;
    await run('ip', ['netns', 'add', name]);
    const lab = new NetnsLab(name, hostAddress, labAddress);
    try {
      await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      await run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
      await run('ip', ['link', 'set', inner, 'netns', name]);
      await run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', outer]);
      await run('ip', ['link', 'set', outer, 'up']);
      await run('ip', ['-n', name, 'addr', 'add', `${labAddress}/30`, 'dev', inner]);
      await run('ip', ['-n', name, 'link', 'set', inner, 'up']);
      await run('ip', ['netns', 'exec', name, 'sysctl', '-qw', `net.ipv4.ip_local_port_range=${portRange[0]} ${portRange[1]}`]);
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  /** Runs `node --import tsx <script> ...args` inside the namespace, from the repository root. */
  spawnNode(script: string, args: string[], env: Record<string, string> = {}): LabProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, process.execPath, '--import', 'tsx', script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    let output = '';
    const events: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      if (!line.startsWith('{')) return;
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        return;
      }
      for (const wake of waiters.splice(0)) wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', () => {
      for (const wake of waiters.splice(0)) wake();
    });
    return {
      child,
      events,
      output: () => output,
      async event(name, timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const found = events.find((e) => e.event === name);
          if (found !== undefined) return found;
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited before "${name}":\n${output}`);
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`no "${name}" event in time:\n${output}`);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, left);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
      },
    };
  }

  /** The real agent, reporting this namespace to the API every `intervalSeconds`. */
  spawnAgent(serverUrl: string, stateDir: string, enrollmentToken: string, intervalSeconds: number): LabProcess {
    return this.spawnNode(
      'apps/agent/src/main.ts',
      ['run', '--server', serverUrl, '--interval', String(intervalSeconds), '--state-dir', stateDir, '--enrollment-token', enrollmentToken],
      { TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'apps/agent/tsconfig.json') },
    );
  }

  /** Kills everything started here and deletes the namespace (which takes the veth pair with it). */
  async destroy(): Promise<void> {
    const exits = [...this.children].map((c) => new Promise((resolve) => c.once('exit', resolve)));
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(exits);
    await run('ip', ['netns', 'del', this.name]).catch(() => undefined);
  }
}
