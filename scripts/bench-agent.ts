/**
 * `npm run bench:agent`: how long the agent takes to measure a busy host, next to `ss -tanH`.
 *
 * 1. Bundles the agent with esbuild (apps/agent/dist/, gitignored) so that timings include no
 *    TypeScript compilation, as for a deployed agent.
 * 2. Builds a network namespace with 60,000+ TCP sockets: HOLDERS processes (each under the
 *    20,000-descriptor limit) that each listen on two loopback addresses outside the ephemeral
 *    range and connect to themselves, so half the sockets are client side (in the range) and half
 *    are accepted server side; then a few thousand client-closed connections in TIME_WAIT.
 * 3. Inside the namespace, one timing process runs ROUNDS interleaved rounds of: `ss -tanH` (the
 *    reference: dumping the same table), the agent's full snapshot (collect, account, serialize
 *    JSON) with the netlink source, and with the proc source. It is the deployed agent's situation:
 *    a long-lived process taking snapshots. It also times one-shot `check --json` processes
 *    (Node start-up included) and their peak RSS. Then the real long-lived agent (`run`) takes a
 *    snapshot a second for AGENT_RUN_SNAPSHOTS seconds, for its peak RSS and CPU (`--runtime PATH`
 *    runs it on another JavaScript runtime instead of Node), and Node's own floor is measured
 *    (scripts/node-floor.cjs).
 * 4. Prints medians, ratios to `ss -tanH`, peak RSS, and whether the targets hold (netlink
 *    ≤ 0.75 × ss -tanH, long-lived RSS ≤ 50 MB with the agent's V8 flags, one-shot RSS < 80 MB). Deletes the namespace and its processes on every exit path.
 * 4b. Diagnosis: in the same rounds, `ss -tanpH` (the reference for "which process holds which
 *    socket": it reads every process's descriptors) and a snapshot with the agent's diagnosis, which
 *    attributes every socket of the worst 20 tuples to its process (socket inodes, /proc/<pid>/fd),
 *    reads the conntrack table and computes churn; each part is timed on its own. `--connections N`
 *    (per holder, default 7,600) makes a smaller table for a quick check that the bench works.
 * 5. Many namespaces (`--namespaces N`, default 100; 0 skips it): N more namespaces with 300
 *    sockets each (150 connections to a listener in the same namespace, both ends held), made by
 *    one perl process that setns(2)s into each in turn, so that 100 namespaces cost one small
 *    process rather than 100 Node processes. From the busy namespace, as the agent's own, the
 *    timer then alternates: `ss -tanH` run in every namespace the agent can see (nsenter, the same
 *    parallelism as the agent), and the agent's all-namespaces snapshot (discover, measure each,
 *    JSON). The namespaces are deleted with the rest.
 *
 * The same file is the holder and the timer (`--role`), run from the bundle.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { collectReport } from '../apps/agent/src/collect/index.ts';
import { Diagnoser } from '../apps/agent/src/diagnose/index.ts';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../apps/agent/src/node-flags.ts';
import { collectAllNamespaces } from '../apps/agent/src/namespaces/collect-all-namespaces.ts';
import { discoverNamespaces } from '../apps/agent/src/namespaces/discover-namespaces.ts';
import { processCpuMs } from './process-cpu.ts';

const RANGE = { low: 10000, high: 60999 };
const HOLDERS = 4;
/** Connections per holder: two sockets each, so 4 × 7,600 × 2 = 60,800 sockets. */
const CONNECTIONS_PER_HOLDER = 7_600;
/** Client-closed connections per holder, left in TIME_WAIT (they hold no descriptor). */
const TIME_WAIT_PER_HOLDER = 800;
const ROUNDS = 11;
const COLD_ROUNDS = 5;
const TARGET_RATIO = 0.75;
/** Peak RSS of a one-shot `check` process. */
/** Namespaces of the many-namespaces scenario (`--namespaces N`) and connections in each (two sockets each). */
const DEFAULT_MULTI_NAMESPACES = 100;
const MULTI_CONNECTIONS = 150;
const MULTI_ROUNDS = 5;
const TARGET_RSS_MB = 80;
/** Peak RSS of the long-lived agent (snapshots every interval) on this host. */
const TARGET_AGENT_RSS_MB = 50;
/**
 * How long the long-lived agent runs (one snapshot a second) before its peak RSS is read: two and a
 * half minutes, so that it spans two attributions (once a minute) and V8's old generation has
 * time to grow. A 15 s run, as this bench did until 6 December, read 58-59 MB where the same agent
 * reached 71 MB by 150 s (docs/agent-memory.md).
 */
const AGENT_RUN_SNAPSHOTS = 150;

interface TimerResult {
  ssLines: number;
  ssFilteredLines: number;
  ssReferenceMs: number[];
  ssFilteredMs: number[];
  netlinkMs: number[];
  procMs: number[];
  coldNetlinkMs: number[];
  coldProcMs: number[];
  coldRssKb: { netlink: number[]; proc: number[] };
  warmVmHwmKb: number;
  /** CPU time (this process and its children) summed over the rounds, in ms. */
  cpuMs: { ssReference: number; netlink: number; proc: number };
  report: { tupleCount: number; clientSockets: number; hostPortsInUse: number; bindOwned: number; identical: boolean; jsonBytes: number };
  multi: MultiResult | null;
  diagnosis: DiagnosisResult;
}

/** Per round: `ss -tanpH`, and a netlink snapshot with its diagnosis and the parts of it. */
interface DiagnosisResult {
  ssProcessesMs: number[];
  snapshotMs: number[];
  attributionMs: number[];
  conntrackMs: number[];
  churnMs: number[];
  sockets: number;
  processes: number;
  descriptors: number;
  attributedSockets: number;
}

interface MultiResult {
  namespaces: number;
  /** The bench's own namespaces that reported exactly MULTI_CONNECTIONS sockets on their one tuple. */
  exact: number;
  skipped: number;
  ssEachMs: number[];
  agentMs: number[];
  cpuMs: { ssEach: number; agent: number };
  jsonBytes: number;
}

// ---------------------------------------------------------------------------------------------
// Roles run inside the namespace.

/** Listens on 127.0.0.1 and 127.0.0.2 (outside the range), connects to itself, reports progress. */
async function holder(index: number, connections: number, timeWait: number): Promise<void> {
  const port = 5000 + index;
  const kept: Socket[] = [];
  const servers = await Promise.all(
    ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(
      (host) =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer((socket) => {
            socket.on('error', () => undefined);
            kept.push(socket);
          });
          server.once('error', reject);
          server.listen({ host, port, backlog: 4096 }, () => resolve(server));
        }),
    ),
  );
  const open = (host: string) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  let done = 0;
  const report = () => process.stdout.write(`progress ${done}\n`);
  const timer = setInterval(report, 250);
  // Bounded concurrency: fast, without overflowing the listen backlog.
  const worker = async (host: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const socket = await open(host);
      socket.on('error', () => undefined);
      kept.push(socket);
      done++;
    }
  };
  const lanes = 64;
  const per = Math.ceil(connections / lanes);
  await Promise.all(
    Array.from({ length: lanes }, (_, lane) =>
      worker(lane % 2 === 0 ? '127.0.0.1' : '127.0.0.2', Math.max(0, Math.min(per, connections - lane * per))),
    ),
  );
  // TIME_WAIT on the client side: connect to 127.0.0.3, then close from the client first.
  for (let i = 0; i < timeWait; i++) {
    const socket = await open('127.0.0.3');
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
    });
  }
  clearInterval(timer);
  report();
  process.stdout.write('ready\n');
  // Hold everything until the orchestrator kills us or closes stdin.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  void servers;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Runs a command to completion, counting output lines; returns elapsed ms. */
function timeCommand(command: string, args: string[]): Promise<{ ms: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LC_ALL: 'C' } });
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve({ ms: performance.now() - start, lines }) : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

/** One agent snapshot as the deployed agent takes it: collect, account, serialize. */
async function snapshot(source: 'netlink' | 'proc'): Promise<{ ms: number; json: string }> {
  const start = performance.now();
  const { report } = await collectReport({ source });
  const json = JSON.stringify(report);
  return { ms: performance.now() - start, json };
}

/** One round of the diagnosis scenario: `ss -tanpH`, then a netlink snapshot with its diagnosis. */
async function timeDiagnosis(diagnoser: Diagnoser, into: DiagnosisResult): Promise<void> {
  into.ssProcessesMs.push((await timeCommand('ss', ['-tanpH'])).ms);
  const start = performance.now();
  const { report } = await collectReport({ source: 'netlink', diagnoser });
  JSON.stringify(report);
  into.snapshotMs.push(performance.now() - start);
  const cost = diagnoser.lastCost;
  into.attributionMs.push(cost.attributionMs ?? NaN);
  into.conntrackMs.push(cost.conntrackMs + cost.snatMs);
  into.churnMs.push(cost.churnMs);
  into.sockets = cost.attribution.sockets;
  into.processes = cost.attribution.processes;
  into.descriptors = cost.attribution.descriptors;
  into.attributedSockets = (report.diagnostics?.tuples ?? []).reduce(
    (sum, t) => sum + (t.processes ?? []).reduce((n, p) => n + p.sockets, 0),
    0,
  );
}

/** A one-shot `check --json` process (Node start-up included), with its peak RSS from /usr/bin/time. */
function coldCheck(bundle: string, source: 'netlink' | 'proc'): Promise<{ ms: number; rssKb: number | null }> {
  const haveTime = existsSync('/usr/bin/time');
  // The measurement alone: the diagnosis (and its churn window) is timed separately.
  const args = [process.execPath, bundle, 'check', '--json', '--no-diagnose', '--source', source];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = haveTime
      ? spawn('/usr/bin/time', ['-f', 'maxrss=%M', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(args[0] ?? 'node', args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      // check exits 0-2 for a measurement; 3 means it could not measure.
      if (code === null || code > 2) return reject(new Error(`check --source ${source} exited with ${code}: ${stderr}`));
      const match = /maxrss=(\d+)/.exec(stderr);
      resolve({ ms, rssKb: match ? Number(match[1]) : null });
    });
  });
}

/**
 * CPU time of this process plus its waited-for children (the `ss` processes it ran). Unlike wall
 * time it hardly depends on what else the machine is running, so it shows the cost even when other
 * work competes for the cores.
 */
function cpuTimeMs(): number {
  return processCpuMs(process.pid, true);
}

/** A `kB` field of `/proc/<pid>/status` (`self`: this process); NaN once the process is gone. */
function statusKb(pid: number | 'self', field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** `ss -tanH` in every namespace the agent sees, `concurrency` at a time, as the agent measures them. */
async function ssInEach(paths: string[], concurrency: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < paths.length; i = next++) {
      const path = paths[i];
      if (path === undefined) return;
      await timeCommand('nsenter', [`--net=${path}`, 'ss', '-tanH']);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  return performance.now() - start;
}

async function timeManyNamespaces(prefix: string): Promise<MultiResult> {
  const { availableParallelism } = await import('node:os');
  const concurrency = Math.min(8, availableParallelism());
  const result: MultiResult = {
    namespaces: 0,
    exact: 0,
    skipped: 0,
    ssEachMs: [],
    agentMs: [],
    cpuMs: { ssEach: 0, agent: 0 },
    jsonBytes: 0,
  };
  const agentSnapshot = async () => {
    const start = performance.now();
    const all = await collectAllNamespaces({ source: 'netlink' });
    const json = JSON.stringify(all.measured.map((m) => ({ namespace: m.namespace, report: m.result.report })));
    return { ms: performance.now() - start, all, json };
  };
  const first = await agentSnapshot();
  result.namespaces = first.all.measured.length + first.all.skipped.length;
  result.skipped = first.all.skipped.length;
  result.jsonBytes = first.json.length;
  result.exact = first.all.measured.filter(
    (m) =>
      m.namespace.name?.startsWith(prefix) && m.result.report.tupleCount === 1 && m.result.report.tuples[0]?.used === MULTI_CONNECTIONS,
  ).length;
  for (let round = 0; round < MULTI_ROUNDS; round++) {
    // The same namespaces as the agent's discovery: its own by /proc/self, the others by their files.
    const paths = discoverNamespaces().namespaces.map((n) => (n.info.host ? '/proc/self/ns/net' : n.path));
    let cpu = cpuTimeMs();
    result.ssEachMs.push(await ssInEach(paths, concurrency));
    result.cpuMs.ssEach += cpuTimeMs() - cpu;
    cpu = cpuTimeMs();
    result.agentMs.push((await agentSnapshot()).ms);
    result.cpuMs.agent += cpuTimeMs() - cpu;
    process.stderr.write(`  namespaces round ${round + 1}/${MULTI_ROUNDS}\n`);
  }
  return result;
}

async function timer(bundle: string, multiPrefix: string | undefined): Promise<void> {
  const filter = `( sport >= :${RANGE.low} and sport <= :${RANGE.high} )`;
  const result: TimerResult = {
    ssLines: 0,
    ssFilteredLines: 0,
    ssReferenceMs: [],
    ssFilteredMs: [],
    netlinkMs: [],
    procMs: [],
    coldNetlinkMs: [],
    coldProcMs: [],
    coldRssKb: { netlink: [], proc: [] },
    warmVmHwmKb: 0,
    cpuMs: { ssReference: 0, netlink: 0, proc: 0 },
    report: { tupleCount: 0, clientSockets: 0, hostPortsInUse: 0, bindOwned: 0, identical: false, jsonBytes: 0 },
    multi: null,
    diagnosis: {
      ssProcessesMs: [],
      snapshotMs: [],
      attributionMs: [],
      conntrackMs: [],
      churnMs: [],
      sockets: 0,
      processes: 0,
      descriptors: 0,
      attributedSockets: 0,
    },
  };
  const diagnoser = new Diagnoser({ attributeEveryMs: 0 });
  // The TIME_WAIT entries were just made: let them pass tcp_tw_reuse_delay (1 s), so that what is
  // reclaimable does not change between the netlink and the proc snapshot compared below.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  // Warm-up: page cache, JIT, and a first look at the result.
  await timeCommand('ss', ['-tanH']);
  const first = await snapshot('netlink');
  const firstProc = await snapshot('proc');
  const parsed = JSON.parse(first.json) as import('@portpressure/protocol').PortReport;
  const parsedProc = JSON.parse(firstProc.json) as import('@portpressure/protocol').PortReport;
  result.report = {
    tupleCount: parsed.tupleCount,
    clientSockets: parsed.tuples.reduce((sum, t) => sum + t.used, 0),
    hostPortsInUse: parsed.hostPortsInUse,
    bindOwned: parsed.bindOwned,
    identical: JSON.stringify({ ...parsed, source: '' }) === JSON.stringify({ ...parsedProc, source: '' }),
    jsonBytes: first.json.length,
  };

  for (let round = 0; round < ROUNDS; round++) {
    let cpu = cpuTimeMs();
    const reference = await timeCommand('ss', ['-tanH']);
    result.cpuMs.ssReference += cpuTimeMs() - cpu;
    result.ssReferenceMs.push(reference.ms);
    result.ssLines = reference.lines;
    cpu = cpuTimeMs();
    result.netlinkMs.push((await snapshot('netlink')).ms);
    result.cpuMs.netlink += cpuTimeMs() - cpu;
    cpu = cpuTimeMs();
    result.procMs.push((await snapshot('proc')).ms);
    result.cpuMs.proc += cpuTimeMs() - cpu;
    const filtered = await timeCommand('ss', ['-tanH', 'state', 'all', filter]);
    result.ssFilteredMs.push(filtered.ms);
    result.ssFilteredLines = filtered.lines;
    await timeDiagnosis(diagnoser, result.diagnosis);
    process.stderr.write(`  round ${round + 1}/${ROUNDS}\n`);
  }
  result.warmVmHwmKb = statusKb('self', 'VmHWM');
  for (let round = 0; round < COLD_ROUNDS; round++) {
    for (const source of ['netlink', 'proc'] as const) {
      const cold = await coldCheck(bundle, source);
      (source === 'netlink' ? result.coldNetlinkMs : result.coldProcMs).push(cold.ms);
      if (cold.rssKb !== null) result.coldRssKb[source].push(cold.rssKb);
    }
  }
  if (multiPrefix) result.multi = await timeManyNamespaces(multiPrefix);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// The orchestrator, outside the namespace.

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');
const distDir = join(repoRoot, 'apps/agent/dist');
const agentBundle = join(distDir, 'portpressure-agent.cjs');
const benchBundle = join(distDir, 'bench-agent.mjs');

const ns = `pp-bench-${process.pid}`;
/** Names of the many-namespaces scenario: `${multiPrefix}<i>`. */
const multiPrefix = `pp-bench-${process.pid}-n`;
const multiNames: string[] = [];
const children = new Set<ChildProcess>();
let cleanedUp = false;

function sh(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.toString().trim()}`);
}

function cleanup(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const child of children) child.kill('SIGKILL');
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  for (const name of multiNames) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
}

/**
 * Holds the sockets of many small namespaces in one process: perl (in Debian's essential
 * perl-base) calls setns(2) into each namespace in turn; a socket stays in the namespace it was
 * made in, whatever its process does next. Each namespace gets a listener on 127.0.0.1:5000
 * (outside the range) and MULTI_CONNECTIONS connections to it, client and accepted ends both kept.
 */
const PERL_HOLDER = `
use strict; use Socket; $| = 1;
my ($nr, $per, @paths) = @ARGV; my @keep;
for my $path (@paths) {
  open(my $fh, '<', $path) or die "open $path: $!";
  syscall($nr, fileno($fh), 0x40000000) == 0 or die "setns $path: $!";
  close $fh;
  my $addr = pack_sockaddr_in(5000, inet_aton('127.0.0.1'));
  socket(my $l, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
  bind($l, $addr) or die "bind: $!"; listen($l, 4096) or die "listen: $!"; push @keep, $l;
  for (1 .. $per) {
    socket(my $c, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
    connect($c, $addr) or die "connect: $!"; accept(my $a, $l) or die "accept: $!";
    push @keep, $c, $a;
  }
}
print "ready\n";
my $line = <STDIN>;
`;

/** setns(2) by machine, for the perl holder. */
const SETNS_SYSCALL: Record<string, number> = { x64: 308, arm64: 268 };

async function buildManyNamespaces(count: number): Promise<void> {
  const setns = SETNS_SYSCALL[process.arch];
  if (setns === undefined) throw new Error(`--namespaces: no setns syscall number for ${process.arch}`);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const name = `${multiPrefix}${i}`;
    sh('ip', ['netns', 'add', name]);
    multiNames.push(name);
    sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  }
  // ~300 descriptors per namespace: as many perl processes as the descriptor limit asks for.
  const limit = Number(spawnSync('sh', ['-c', 'ulimit -n']).stdout.toString().trim()) || 1024;
  const perHolder = Math.max(1, Math.floor((limit - 64) / (MULTI_CONNECTIONS * 2 + 1)));
  const holders: Promise<void>[] = [];
  for (let from = 0; from < multiNames.length; from += perHolder) {
    const paths = multiNames.slice(from, from + perHolder).map((n) => `/run/netns/${n}`);
    const child = spawn('perl', ['-e', PERL_HOLDER, String(setns), String(MULTI_CONNECTIONS), ...paths], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    holders.push(
      new Promise<void>((resolve, reject) => {
        if (!child.stdout) return reject(new Error('perl holder has no stdout'));
        createInterface({ input: child.stdout }).on('line', (line) => line === 'ready' && resolve());
        child.on('exit', (code) => reject(new Error(`perl holder exited early with ${code}`)));
      }),
    );
  }
  await Promise.all(holders);
  process.stdout.write(
    `  ${count} namespaces × ${MULTI_CONNECTIONS * 2} sockets in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
}

async function buildBundles(): Promise<void> {
  // The deployed agent: the package's own build script, so the bench times what ships.
  const npm = spawnSync('npm', ['run', '--silent', 'build:agent', '--', '--bundle-only'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (npm.status !== 0) throw new Error(`npm run build:agent -- --bundle-only failed: ${npm.stderr.toString().trim()}`);
  // This file, for the holder and timer roles. Loaded here only: the roles run from the bundle
  // and must not pay for esbuild.
  const { build } = await import('esbuild');
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile: benchBundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    external: ['esbuild'],
  });
}

function startInNamespace(args: string[], env: Readonly<Record<string, string>> = {}, program = process.execPath): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, program, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** `--connections N` per holder (100-9,000) for a quick run; default CONNECTIONS_PER_HOLDER. */
function connectionsFlag(): number {
  const args = process.argv.slice(2);
  const at = args.indexOf('--connections');
  if (at === -1) return CONNECTIONS_PER_HOLDER;
  const value = args[at + 1] ?? '';
  if (!/^\d+$/.test(value) || Number(value) < 100 || Number(value) > 9000)
    throw new Error(`--connections takes a whole number from 100 to 9000, not "${value}"`);
  return Number(value);
}

async function buildSockets(): Promise<void> {
  const connections = connectionsFlag();
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.ip_local_port_range=${RANGE.low} ${RANGE.high}`]);
  const total = HOLDERS * (connections * 2);
  const progress = new Array<number>(HOLDERS).fill(0);
  const started = performance.now();
  let lastPrint = 0;
  const print = (force = false) => {
    const now = performance.now();
    if (!force && now - lastPrint < 1000) return;
    lastPrint = now;
    const sockets = progress.reduce((a, b) => a + b, 0) * 2;
    process.stdout.write(
      `  sockets: ${sockets.toLocaleString('en')} / ${total.toLocaleString('en')} (${((now - started) / 1000).toFixed(1)} s)\n`,
    );
  };
  await Promise.all(
    Array.from({ length: HOLDERS }, (_, index) => {
      const child = startInNamespace([benchBundle, '--role', 'holder', String(index), String(connections), String(TIME_WAIT_PER_HOLDER)]);
      return new Promise<void>((resolve, reject) => {
        if (!child.stdout) return reject(new Error('holder has no stdout'));
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.startsWith('progress ')) {
            progress[index] = Math.min(connections, Number(line.slice(9)));
            print();
          } else if (line === 'ready') resolve();
        });
        child.on('exit', (code) => reject(new Error(`holder ${index} exited early with ${code}`)));
      });
    }),
  );
  print(true);
}

async function runTimer(withMulti: boolean): Promise<TimerResult> {
  // With the deployed agent's V8 settings and environment, so that its peak RSS is the long-lived agent's.
  const child = startInNamespace(
    [...AGENT_NODE_FLAGS, benchBundle, '--role', 'timer', agentBundle, ...(withMulti ? [multiPrefix] : [])],
    AGENT_ENV,
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`timer exited with ${code}`);
  return JSON.parse(output) as TimerResult;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

let loadBefore = '';

function fmt(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/**
 * Peak RSS of the real long-lived agent: the bundle's `run` with the deployed node options, taking
 * a snapshot every second of this namespace's 64,000 sockets. Its server is a closed loopback port,
 * so every snapshot is serialized and kept in the on-disk spool instead of sent, which is what it
 * holds in memory either way (the JSON of one snapshot is a few KiB).
 */
async function measureAgentRun(runtime: string | null): Promise<AgentRun> {
  const stateDir = mkdtempSync(join(tmpdir(), 'pp-bench-agent-'));
  const options = runtime === null ? AGENT_NODE_FLAGS : [];
  const child = startInNamespace(
    [
      ...options,
      agentBundle,
      'run',
      '--server',
      'http://127.0.0.1:9',
      '--enrollment-token',
      'bench-token-not-used-0000',
      '--interval',
      '1',
      '--state-dir',
      stateDir,
    ],
    AGENT_ENV,
    runtime ?? process.execPath,
  );
  child.stdout?.resume();
  // VmRSS every 100 ms, for when the peak happens: the largest of each 10 s of the run.
  const started = performance.now();
  const windows: number[] = [];
  const sampler = setInterval(() => {
    const rss = statusKb(child.pid ?? 0, 'VmRSS');
    const slot = Math.floor((performance.now() - started) / 10_000);
    if (!Number.isNaN(rss)) windows[slot] = Math.max(windows[slot] ?? 0, rss);
  }, 100);
  try {
    await new Promise((resolve) => setTimeout(resolve, (AGENT_RUN_SNAPSHOTS + 0.5) * 1000));
    clearInterval(sampler);
    // `ip netns exec` execs the command, so the child's pid is the agent's.
    const pid = child.pid ?? 0;
    const snapshots = readdirSync(join(stateDir, 'spool')).length;
    const ownCpuMs = processCpuMs(pid);
    const childrenCpuMs = processCpuMs(pid, true) - ownCpuMs;
    const command = [...Object.entries(AGENT_ENV).map(([k, v]) => `${k}=${v}`), runtime ?? 'node', ...options].join(' ');
    return {
      command,
      vmHwmKb: statusKb(pid, 'VmHWM'),
      rssKb: statusKb(pid, 'VmRSS'),
      snapshots,
      ownCpuMs,
      childrenCpuMs,
      rssByTenSecondsKb: windows,
    };
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * The floor under the agent's RSS: Node with the agent's options (scripts/node-floor.cjs) bare,
 * with the built-in modules the bundle requires, and with those and one function compiled by
 * TurboFan, as the agent's `ss` parser is in its first snapshot. Run outside the namespace (it
 * opens no socket), one process at a time.
 */
function measureNodeFloor(): NodeFloor {
  // The bundle requires them as `require("node:…")`, or `process.getBuiltinModule("node:…")` where it
  // loads one only when needed; `node:tls` only for a `wss:` server, which the bench's agent has not.
  const named = readFileSync(agentBundle, 'utf8').match(/(?<=(?:require|getBuiltinModule)\(")node:[a-z_/]+(?="\))/g) ?? [];
  const builtins = [...new Set(named)].filter((name) => name !== 'node:tls').sort();
  const probe = join(here, 'node-floor.cjs');
  const run = (mode: string): FloorProbe => {
    const out = spawnSync(process.execPath, [...AGENT_NODE_FLAGS, '--allow-natives-syntax', probe, mode, ...builtins], {
      env: { ...process.env, ...AGENT_ENV },
      encoding: 'utf8',
    });
    if (out.status !== 0) throw new Error(`node-floor.cjs ${mode} exited with ${out.status}: ${out.stderr}`);
    return JSON.parse(out.stdout) as FloorProbe;
  };
  return { builtins, bare: run('bare'), modules: run('modules'), optimized: run('optimized') };
}

interface FloorProbe {
  vmHwmKb: number;
  rssFileKb: number;
  rssAnonKb: number;
  optimized: boolean;
}

interface NodeFloor {
  builtins: string[];
  bare: FloorProbe;
  modules: FloorProbe;
  optimized: FloorProbe;
}

interface AgentRun {
  /** How the agent was started (environment, program, options), for the report. */
  command: string;
  vmHwmKb: number;
  rssKb: number;
  snapshots: number;
  /** CPU of the agent process over the whole run (start-up included), and of the `ss` it waited for. */
  ownCpuMs: number;
  childrenCpuMs: number;
  /** The largest VmRSS sampled (every 100 ms) in each 10 s of the run, from its start. */
  rssByTenSecondsKb: number[];
}

function printResults(r: TimerResult, agentRun: AgentRun, floor: NodeFloor): boolean {
  const ref = median(r.ssReferenceMs);
  const netlink = median(r.netlinkMs);
  const proc = median(r.procMs);
  const coldNetlink = median(r.coldNetlinkMs);
  const coldProc = median(r.coldProcMs);
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  const coldRss = Math.max(...r.coldRssKb.netlink, ...r.coldRssKb.proc);
  const rows: [string, string, string][] = [
    [`ss -tanH (reference, ${r.ssLines.toLocaleString('en')} lines)`, fmt(ref), '1.00'],
    [
      `ss -tanH state all + sport filter (${r.ssFilteredLines.toLocaleString('en')} lines)`,
      fmt(median(r.ssFilteredMs)),
      (median(r.ssFilteredMs) / ref).toFixed(2),
    ],
    ['agent snapshot, netlink (collect + account + JSON)', fmt(netlink), (netlink / ref).toFixed(2)],
    ['agent snapshot, proc (collect + account + JSON)', fmt(proc), (proc / ref).toFixed(2)],
    ['one-shot `check --json --source netlink` process', fmt(coldNetlink), (coldNetlink / ref).toFixed(2)],
    ['one-shot `check --json --source proc` process', fmt(coldProc), (coldProc / ref).toFixed(2)],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  process.stdout.write(`\nMedians of ${ROUNDS} interleaved rounds (one-shot processes: ${COLD_ROUNDS}), inside the namespace:\n\n`);
  process.stdout.write(`  ${'what'.padEnd(width)}  ${'median'.padStart(10)}  ${'× ss -tanH'.padStart(10)}\n`);
  for (const [what, time, ratio] of rows) process.stdout.write(`  ${what.padEnd(width)}  ${time.padStart(10)}  ${ratio.padStart(10)}\n`);
  process.stdout.write(
    `\n  all rounds (ms): ss ${r.ssReferenceMs.map((v) => v.toFixed(0)).join(' ')} | netlink ${r.netlinkMs.map((v) => v.toFixed(0)).join(' ')} | proc ${r.procMs.map((v) => v.toFixed(0)).join(' ')}\n`,
  );
  // Each round times ss and the agent back to back, so the ratio within a round is less exposed to
  // load that comes and goes on a shared machine than the ratio of the medians.
  const paired = (agent: number[]) => median(agent.map((ms, i) => ms / (r.ssReferenceMs[i] ?? NaN))).toFixed(2);
  process.stdout.write(`  median of per-round ratios: netlink ${paired(r.netlinkMs)}, proc ${paired(r.procMs)}\n`);
  const cpu = (ms: number) => `${(ms / ROUNDS).toFixed(0)} ms`;
  process.stdout.write(
    `  CPU per run (process + children, mean): ss -tanH ${cpu(r.cpuMs.ssReference)}, netlink snapshot ${cpu(r.cpuMs.netlink)} ` +
      `(${(r.cpuMs.netlink / r.cpuMs.ssReference).toFixed(2)}), proc snapshot ${cpu(r.cpuMs.proc)} (${(r.cpuMs.proc / r.cpuMs.ssReference).toFixed(2)})\n`,
  );
  process.stdout.write(`  load average: ${loadBefore} before, ${loadAverage()} after\n`);
  process.stdout.write(`\nPeak RSS: long-lived snapshot process ${mb(r.warmVmHwmKb)} (VmHWM after ${ROUNDS + 1} snapshots per source)`);
  process.stdout.write(
    r.coldRssKb.netlink.length
      ? `, one-shot check ${mb(Math.max(...r.coldRssKb.netlink))} netlink / ${mb(Math.max(...r.coldRssKb.proc))} proc\n`
      : '\n',
  );
  process.stdout.write(
    `Report: ${r.report.tupleCount} tuples, ${r.report.clientSockets.toLocaleString('en')} client-side sockets, hostPortsInUse ${r.report.hostPortsInUse.toLocaleString('en')}, ` +
      `${(r.report.jsonBytes / 1024).toFixed(1)} KiB of JSON; netlink and proc reports identical: ${r.report.identical ? 'yes' : 'NO'}\n`,
  );
  const ratioOk = netlink / ref <= TARGET_RATIO;
  const coldPeak = Number.isFinite(coldRss) ? coldRss : 0;
  const rssOk = coldPeak < TARGET_RSS_MB * 1024;
  const agentRssOk = agentRun.vmHwmKb <= TARGET_AGENT_RSS_MB * 1024;
  process.stdout.write(
    `Long-lived agent (run, ${agentRun.command}): peak RSS ${mb(agentRun.vmHwmKb)}, RSS now ${mb(agentRun.rssKb)}, after ${agentRun.snapshots} spooled snapshot(s); ` +
      `CPU ${agentRun.ownCpuMs.toFixed(0)} ms of its own and ${agentRun.childrenCpuMs.toFixed(0)} ms of its ss processes, start-up included\n`,
  );
  process.stdout.write(
    `  its RSS, the largest of each 10 s (MB): ${agentRun.rssByTenSecondsKb.map((kb) => (kb / 1024).toFixed(1)).join(' ')}\n`,
  );
  const top = floor.optimized;
  process.stdout.write(
    `Node ${process.version} alone with the same options (peak RSS): bare ${mb(floor.bare.vmHwmKb)}; ` +
      `with the ${floor.builtins.length} built-in modules the bundle requires ${mb(floor.modules.vmHwmKb)}; ` +
      `and one function compiled by TurboFan ${mb(top.vmHwmKb)}${top.optimized ? '' : ' (V8 did NOT optimize it)'}: ` +
      `${mb(TARGET_AGENT_RSS_MB * 1024 - top.vmHwmKb)} left under the ${TARGET_AGENT_RSS_MB} MB target for the agent's code, heap and socket table\n`,
  );
  process.stdout.write(
    `\nTargets: netlink ≤ ${TARGET_RATIO} × ss -tanH: ${(netlink / ref).toFixed(2)} ${ratioOk ? 'PASS' : 'FAIL'}; ` +
      `long-lived agent RSS ≤ ${TARGET_AGENT_RSS_MB} MB: ${mb(agentRun.vmHwmKb)} ${agentRssOk ? 'PASS' : 'FAIL'}; ` +
      `one-shot check RSS < ${TARGET_RSS_MB} MB: ${mb(coldPeak)} ${rssOk ? 'PASS' : 'FAIL'}\n`,
  );
  printDiagnosis(r.diagnosis, ref);
  if (r.multi) printMulti(r.multi);
  return ratioOk && rssOk && agentRssOk && r.report.identical && (r.multi === null || r.multi.skipped === 0);
}

function printDiagnosis(d: DiagnosisResult, ssMs: number): void {
  const ssP = median(d.ssProcessesMs);
  const rows: [string, number][] = [
    ['ss -tanpH (sockets with their processes)', ssP],
    ['agent snapshot with diagnosis, netlink (+ JSON)', median(d.snapshotMs)],
    ['  of which: attribution to processes', median(d.attributionMs)],
    ['  of which: conntrack (+ SNAT when masquerading)', median(d.conntrackMs)],
    ['  of which: churn', median(d.churnMs)],
  ];
  process.stdout.write(
    `\nDiagnosis (same rounds): ${d.sockets.toLocaleString('en')} sockets of the diagnosed tuples looked up, ${d.attributedSockets.toLocaleString('en')} attributed, ` +
      `${d.descriptors.toLocaleString('en')} descriptors of ${d.processes} processes read; medians:\n\n`,
  );
  for (const [what, ms] of rows) {
    process.stdout.write(
      `  ${what.padEnd(50)}  ${fmt(ms).padStart(10)}  ${(ms / ssP).toFixed(2)} × ss -tanpH  ${(ms / ssMs).toFixed(2)} × ss -tanH\n`,
    );
  }
}

function printMulti(m: MultiResult): void {
  const ss = median(m.ssEachMs);
  const agent = median(m.agentMs);
  process.stdout.write(
    `\nMany namespaces: ${m.namespaces} seen (the busy one as the agent's own, ${multiNames.length} × ${MULTI_CONNECTIONS * 2} sockets, and any other on this machine), ` +
      `${m.exact} of ${multiNames.length} reported exactly, ${m.skipped} skipped; medians of ${MULTI_ROUNDS} interleaved rounds:\n\n`,
  );
  process.stdout.write(`  ss -tanH in every namespace (nsenter)        ${fmt(ss).padStart(10)}  1.00\n`);
  process.stdout.write(`  agent snapshot of every namespace (+ JSON)   ${fmt(agent).padStart(10)}  ${(agent / ss).toFixed(2)}\n`);
  process.stdout.write(
    `\n  all rounds (ms): ss each ${m.ssEachMs.map((v) => v.toFixed(0)).join(' ')} | agent ${m.agentMs.map((v) => v.toFixed(0)).join(' ')}\n`,
  );
  const cpu = (ms: number) => `${(ms / MULTI_ROUNDS).toFixed(0)} ms`;
  process.stdout.write(
    `  CPU per run (process + children, mean): ss each ${cpu(m.cpuMs.ssEach)}, agent ${cpu(m.cpuMs.agent)} (${(m.cpuMs.agent / m.cpuMs.ssEach).toFixed(2)})\n`,
  );
  process.stdout.write(`  JSON of all namespaces: ${(m.jsonBytes / 1024).toFixed(1)} KiB; load average now ${loadAverage()}\n`);
}

async function orchestrate(): Promise<number> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench-agent needs root (it creates a network namespace).\n');
    return 2;
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up\n`);
      cleanup();
      process.exit(130);
    });
  }
  process.on('exit', cleanup);
  try {
    const runtime = runtimeFlag(); // a wrong --runtime fails now, not after building 64,000 sockets
    process.stdout.write('Bundling the agent with esbuild...\n');
    await buildBundles();
    process.stdout.write(
      `Building ${(HOLDERS * connectionsFlag() * 2).toLocaleString('en')} TCP sockets (+${(HOLDERS * TIME_WAIT_PER_HOLDER).toLocaleString('en')} in TIME_WAIT) in namespace ${ns}, range ${RANGE.low}-${RANGE.high}, ${HOLDERS} processes...\n`,
    );
    await buildSockets();
    const multiCount = namespacesFlag();
    if (multiCount > 0) {
      process.stdout.write(`Building ${multiCount} more namespaces with ${MULTI_CONNECTIONS * 2} sockets each...\n`);
      await buildManyNamespaces(multiCount);
    }
    process.stdout.write('Timing...\n');
    loadBefore = loadAverage();
    const result = await runTimer(multiCount > 0);
    process.stdout.write(`Running the agent (run, ${AGENT_RUN_SNAPSHOTS} snapshots at 1 s) for its RSS...\n`);
    const agentRss = await measureAgentRun(runtime);
    return printResults(result, agentRss, measureNodeFloor()) ? 0 : 1;
  } catch (error) {
    process.stderr.write(`bench-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  } finally {
    cleanup();
  }
}

/**
 * `--runtime PATH`: run the long-lived agent's bundle with another JavaScript runtime (e.g. Bun)
 * instead of this Node with AGENT_NODE_FLAGS, to see what the runtime itself costs; it gets no
 * flags and the agent's environment. Everything else in the bench still runs on Node.
 */
function runtimeFlag(): string | null {
  const args = process.argv.slice(2);
  const at = args.indexOf('--runtime');
  if (at === -1) return null;
  const value = args[at + 1] ?? '';
  if (!value.startsWith('/') || !existsSync(value)) throw new Error(`--runtime takes the absolute path of an executable, not "${value}"`);
  return value;
}

/** `--namespaces N` (0-1000) for the many-namespaces scenario; default DEFAULT_MULTI_NAMESPACES. */
function namespacesFlag(): number {
  const args = process.argv.slice(2);
  const at = args.indexOf('--namespaces');
  if (at === -1) return DEFAULT_MULTI_NAMESPACES;
  const value = args[at + 1] ?? '';
  if (!/^\d+$/.test(value) || Number(value) > 1000) throw new Error(`--namespaces takes a whole number from 0 to 1000, not "${value}"`);
  return Number(value);
}

async function main(): Promise<number> {
  const [flag, role, ...rest] = process.argv.slice(2);
  if (flag === '--role' && role === 'holder') {
    await holder(Number(rest[0]), Number(rest[1]), Number(rest[2]));
    return -1; // keeps running until killed
  }
  if (flag === '--role' && role === 'timer') {
    await timer(rest[0] ?? agentBundle, rest[1]);
    return 0;
  }
  return orchestrate();
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`bench-agent: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    cleanup();
    process.exit(2);
  },
);
