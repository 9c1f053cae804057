import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { testValue } from '../../../../test/support/suite-value.ts';
import type { DriverCommand, DriverReply } from './driver-protocol.ts';

const run = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DRIVER = fileURLToPath(new URL('./socket-driver.ts', import.meta.url));
const AGENT_MAIN = 'apps/agent/src/main.ts';
const DIAGNOSE_PROBE = fileURLToPath(new URL('./diagnose-probe.ts', import.meta.url));

let counter = 0;
let staleSweep: Promise<void> | undefined;

/** Deletes namespaces left by test runs that were killed before their afterEach (their pid is gone). */
async function removeStaleNamespaces(): Promise<void> {
  const { stdout } = await run('ip', ['netns', 'list']);
  for (const line of stdout.split('\n')) {
    const match = /^(pp-test-(\d+)-\d+)/.exec(line);
    if (!match?.[1] || processExists(Number(match[2]))) continue;
    await run('ip', ['netns', 'del', match[1]]).catch(() => undefined);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command inside the network namespace named `ns`. */
export async function inNamespace(ns: string, command: string, args: string[]): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, command, ...args]);
  return stdout;
}

/**
 * client ── router ── server: joins the three namespaces (by name) with veth pairs on `${net}.1.0/24`
 * (client .1.2 `to-router`, router .1.1 `to-client`) and `${net}.2.0/24` (router .2.1 `to-server`,
 * server .2.2 `to-router`); the client routes everything through the router, which forwards.
 */
export async function routeThrough(client: string, router: string, server: string, net: string): Promise<void> {
  await inNamespace(client, 'ip', ['link', 'add', 'to-router', 'type', 'veth', 'peer', 'name', 'to-client', 'netns', router]);
  await inNamespace(server, 'ip', ['link', 'add', 'to-router', 'type', 'veth', 'peer', 'name', 'to-server', 'netns', router]);
  const up = async (ns: string, device: string, address: string) => {
    await inNamespace(ns, 'ip', ['addr', 'add', address, 'dev', device]);
    await inNamespace(ns, 'ip', ['link', 'set', device, 'up']);
  };
  await up(client, 'to-router', `${net}.1.2/24`);
  await up(router, 'to-client', `${net}.1.1/24`);
  await up(router, 'to-server', `${net}.2.1/24`);
  await up(server, 'to-router', `${net}.2.2/24`);
  await inNamespace(client, 'ip', ['route', 'add', 'default', 'via', `${net}.1.1`]);
  await inNamespace(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
}

/** iptables arguments that masquerade TCP leaving by routeThrough's `to-server` to the source ports 40000-40049. */
export const MASQUERADE_TO_SERVER = [
  '-t',
  'nat',
  '-A',
  'POSTROUTING',
  '-o',
  'to-server',
  '-p',
  'tcp',
  '-j',
  'MASQUERADE',
  '--to-ports',
  '40000-40049',
];

/** A fresh namespace for each test of the enclosing `describe`, with this ephemeral port range ("40000 40099"); destroyed after each. */
export function useTestNamespace(portRange: string): TestNamespace {
  return testValue(
    async () => {
      const ns = await TestNamespace.create();
      await ns.sysctl('ip_local_port_range', portRange);
      return ns;
    },
    (ns) => ns.destroy(),
  );
}

/**
 * A network namespace made for one test: its own loopback, port range and sysctls, and the
 * processes started in it. `destroy()` kills them and deletes the namespace; call it in afterEach.
 */
export class TestNamespace {
  private readonly children = new Set<ChildProcessWithoutNullStreams>();

  private constructor(readonly name: string) {}

  static async create(): Promise<TestNamespace> {
    staleSweep ??= removeStaleNamespaces();
    await staleSweep;
    // pid + counter keeps parallel test files (and leftovers of a crashed run) from colliding.
    const name = `pp-test-${process.pid}-${++counter}`;
    await run('ip', ['netns', 'add', name]);
    const ns = new TestNamespace(name);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Sets net.ipv4.<key> inside the namespace. */
  async sysctl(key: string, value: string): Promise<void> {
    await run('ip', ['netns', 'exec', this.name, 'sysctl', '-qw', `net.ipv4.${key}=${value}`]);
  }

  async readSysctl(key: string): Promise<string> {
    const { stdout } = await run('ip', ['netns', 'exec', this.name, 'cat', `/proc/sys/net/ipv4/${key}`]);
    return stdout.trim();
  }

  /**
   * Waits until no socket is half-way through a handshake or a close (SYN_SENT, FIN_WAIT1,
   * LAST_ACK, ...). A process sees its socket closed before the kernel has finished with it; on
   * a loaded machine the last ACK can take a moment, and a check in between would count it.
   */
  async settle(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const states = ['syn-sent', 'syn-recv', 'fin-wait-1', 'closing', 'last-ack'].flatMap((s) => ['state', s]);
    for (;;) {
      const { stdout } = await run('ip', ['netns', 'exec', this.name, 'ss', '-tanH', ...states]);
      if (stdout.trim() === '') return;
      if (Date.now() > deadline) throw new Error(`sockets did not settle:\n${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Starts a TypeScript file of the repository with Node inside the namespace, killed by
   * `destroy()`. `ip netns exec` execs Node in place, so the child's pid is Node's.
   */
  node(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): ChildProcessWithoutNullStreams {
    const child = spawn('ip', ['netns', 'exec', this.name, process.execPath, '--import', 'tsx', script, ...args], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env,
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Starts `portpressure-agent <args>` inside the namespace (see `node`). */
  agent(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcessWithoutNullStreams {
    return this.node(AGENT_MAIN, args, env);
  }

  /** Starts a socket driver process inside the namespace. */
  async driver(): Promise<SocketDriver> {
    const driver = new SocketDriver(this.node(DRIVER));
    await driver.ready();
    return driver;
  }

  /** Starts a long-lived agent measurement (collector and diagnoser) inside the namespace. */
  async diagnoseProbe(): Promise<DiagnoseProbe> {
    const probe = new DiagnoseProbe(this.node(DIAGNOSE_PROBE));
    await probe.ready();
    return probe;
  }

  /** Runs a command inside the namespace. */
  exec(command: string, args: string[]): Promise<string> {
    return inNamespace(this.name, command, args);
  }

  /**
   * Runs `portpressure-agent check --json` inside the namespace, as a separate process exactly as
   * a user would, and returns its parsed output and exit code.
   */
  async check(args: string[], env: NodeJS.ProcessEnv = process.env, ipCommand = 'ip'): Promise<CheckRun> {
    const argv = ['netns', 'exec', this.name, process.execPath, '--import', 'tsx', AGENT_MAIN, 'check', '--json', ...args];
    return new Promise((resolve, reject) => {
      execFile(ipCommand, argv, { cwd: REPO_ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
        const exitCode = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
        if (exitCode === -1) {
          reject(new Error(`check did not run: ${error?.message ?? ''}\n${stderr}`));
          return;
        }
        try {
          resolve({ exitCode, output: JSON.parse(stdout) as CheckOutput, stderr });
        } catch {
          reject(new Error(`check printed no JSON (exit ${exitCode}):\n${stdout}\n${stderr}`));
        }
      });
    });
  }

  async destroy(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(
      [...this.children].map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.once('exit', resolve)))),
    );
    await run('ip', ['netns', 'del', this.name]).catch(() => undefined);
  }
}

export interface CheckOutput {
  status: string;
  exitCode: number;
  report?: import('@portpressure/protocol').PortReport;
  warnings?: string[];
  error?: { code: string; message: string };
}

export interface CheckRun {
  exitCode: number;
  output: CheckOutput;
  stderr: string;
}

/** Talks to diagnose-probe.ts: each `sample()` is one snapshot of the agent's own collector and diagnoser. */
export class DiagnoseProbe {
  private readonly pending: ((line: string) => void)[] = [];
  private stderr = '';
  private readonly started: Promise<string>;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => this.pending.shift()?.(line));
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.started = new Promise((resolve) => this.pending.push(resolve));
    child.on('exit', (code) => {
      for (const waiter of this.pending.splice(0)) waiter(JSON.stringify({ error: `probe exited (${code}): ${this.stderr}` }));
    });
  }

  async ready(): Promise<void> {
    const line = JSON.parse(await this.started) as { error?: string };
    if (line.error) throw new Error(line.error);
  }

  async sample(): Promise<import('@portpressure/protocol').PortReport> {
    const answer = new Promise<string>((resolve) => this.pending.push(resolve));
    this.child.stdin.write('sample\n');
    const parsed = JSON.parse(await answer) as { error?: string; report?: import('@portpressure/protocol').PortReport };
    if (!parsed.report) throw new Error(`probe failed: ${parsed.error ?? ''}`);
    return parsed.report;
  }
}

/** Talks to socket-driver.ts over its stdin/stdout, one command at a time. */
export class SocketDriver {
  private readonly pending: ((reply: DriverReply) => void)[] = [];
  private stderr = '';
  private readonly started: Promise<DriverReply>;

  /** The driver's process id (`ip netns exec` execs node in place). */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as DriverReply;
      this.pending.shift()?.(reply);
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.started = new Promise((resolve) => this.pending.push(resolve));
    child.on('exit', (code) => {
      for (const waiter of this.pending.splice(0)) waiter({ ok: false, succeeded: 0, error: `driver exited (${code}): ${this.stderr}` });
    });
  }

  async ready(): Promise<void> {
    const reply = await this.started;
    if (!reply.ok) throw new Error(reply.error ?? 'driver failed to start');
  }

  async send(command: DriverCommand): Promise<DriverReply> {
    const reply = new Promise<DriverReply>((resolve) => this.pending.push(resolve));
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const answer = await reply;
    if (!answer.ok) throw new Error(`driver ${command.op} failed: ${answer.error ?? ''}`);
    return answer;
  }

  listen(host: string, port: number): Promise<DriverReply> {
    return this.send({ op: 'listen', host, port });
  }

  /** `localPorts`: bind the n-th connection to that port (with localAddress), instead of letting the kernel pick. */
  connect(
    tag: string,
    host: string,
    port: number,
    options: { localAddress?: string; localPorts?: number[]; max?: number } = {},
  ): Promise<DriverReply> {
    return this.send({ op: 'connect', tag, host, port, ...options });
  }
}
