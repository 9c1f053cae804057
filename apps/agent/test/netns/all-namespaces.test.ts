import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { namespaceInfoSchema, portReportSchema } from '@portpressure/protocol';
import type { NamespaceInfo, PortReport } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SocketDriver, TestNamespace } from './netns.ts';
import { DEFAULT_NAMESPACE_TOOLS } from '../../src/namespaces/collect-all-namespaces.ts';
import { NamespaceGoneError, measureNamespace } from '../../src/namespaces/measure-namespace.ts';
import { lacks } from '../../../../test/support/requirements.ts';
import { promtoolCheck } from '../../../../test/support/promtool.ts';

const run = promisify(execFile);
const DRIVER = fileURLToPath(new URL('./socket-driver.ts', import.meta.url));

interface AllOutput {
  status: string;
  exitCode: number;
  namespaces: { namespace: NamespaceInfo; report: { status: string; exitCode: number; report: PortReport } }[];
  skipped: { namespace: NamespaceInfo; gone: boolean; reason: string }[];
  warnings: string[];
}

/** One agent process in the root namespace, as a user runs it. */
async function checkAll(args: string[] = []): Promise<{ exitCode: number; output: AllOutput }> {
  const argv = ['--import', 'tsx', 'apps/agent/src/main.ts', 'check', '--all-namespaces', '--json', ...args];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { cwd: REPO_ROOT, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
      try {
        resolve({ exitCode, output: JSON.parse(stdout) as AllOutput });
      } catch {
        reject(new Error(`check --all-namespaces printed no JSON (exit ${exitCode}):\n${stdout}\n${stderr}`));
      }
    });
  });
}

const inodeOf = (path: string) => statSync(path).ino;

describe.skipIf(lacks('agent check --all-namespaces', 'root'))('one agent in the root namespace measures every namespace', () => {
  let a: TestNamespace;
  let b: TestNamespace;
  /** The unnamed namespace: held only by this `unshare -n` process (the socket driver itself). */
  let holder: ChildProcessWithoutNullStreams | undefined;
  let c: SocketDriver;
  const inodes = { a: 0, b: 0, c: 0 };

  beforeAll(async () => {
    a = await TestNamespace.create();
    b = await TestNamespace.create();
    await a.sysctl('ip_local_port_range', '40000 40099');
    await a.sysctl('ip_local_reserved_ports', '40090-40099');
    await b.sysctl('ip_local_port_range', '50000 50499');
    await b.sysctl('ip_local_reserved_ports', '50000-50009,50100');
    await b.sysctl('tcp_tw_reuse', '0');

    holder = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "$0" --import tsx "$1"`, process.execPath, DRIVER], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    c = new SocketDriver(holder);
    await c.ready();
    const netC = `/proc/${holder.pid}/ns/net`;
    await run('nsenter', [
      `--net=${netC}`,
      'sysctl',
      '-qw',
      'net.ipv4.ip_local_port_range=30000 30019',
      'net.ipv4.ip_local_reserved_ports=30019',
    ]);

    inodes.a = inodeOf(`/run/netns/${a.name}`);
    inodes.b = inodeOf(`/run/netns/${b.name}`);
    inodes.c = inodeOf(netC);

    const da = await a.driver();
    await da.listen('127.0.0.1', 5000);
    await da.connect('a', '127.0.0.1', 5000, { max: 70 });
    await da.send({ op: 'udp', host: '127.0.0.1', ports: [7000], max: 5 });

    const db = await b.driver();
    await db.listen('127.0.0.1', 5000);
    await db.listen('::1', 5001);
    await db.connect('b4', '127.0.0.1', 5000, { max: 120 });
    await db.connect('b6', '::1', 5001, { max: 40 });

    await c.listen('127.0.0.1', 6000);
    await c.connect('c', '127.0.0.1', 6000, { max: 19 });
    await a.settle();
    await b.settle();
  });

  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    if (holder && holder.exitCode === null) {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder?.once('exit', resolve));
    }
  });

  it('reports each namespace exactly, with its own range, reserved ports and sockets', async () => {
    const { exitCode, output } = await checkAll();
    const byInode = new Map(output.namespaces.map((n) => [n.namespace.inode, n]));
    const na = byInode.get(inodes.a);
    const nb = byInode.get(inodes.b);
    const nc = byInode.get(inodes.c);
    expect(na && nb && nc, `namespaces ${JSON.stringify([...byInode.keys()])}, skipped ${JSON.stringify(output.skipped)}`).toBeTruthy();
    if (!na || !nb || !nc) return;
    for (const n of [na, nb, nc]) {
      namespaceInfoSchema.parse(n.namespace);
      portReportSchema.parse(n.report.report);
    }
    expect(na.namespace).toMatchObject({ name: a.name, host: false, pod: null, containers: [] });
    expect(nb.namespace).toMatchObject({ name: b.name, host: false });
    expect(nc.namespace).toMatchObject({ name: null, host: false });
    // The driver, and tsx's esbuild service it starts.
    expect(nc.namespace.processes).toBeGreaterThanOrEqual(1);
    expect(output.namespaces.filter((n) => n.namespace.host)).toHaveLength(1);

    const ra = na.report.report;
    expect(ra).toMatchObject({
      source: 'netlink',
      range: { low: 40000, high: 40099 },
      reservedInRange: 10,
      capacity: 90,
      tupleCount: 1,
      udp: { used: 5 },
    });
    expect(ra.tuples[0]).toMatchObject({ localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 5000, used: 70 });
    // 70 of 90: above the default warning threshold of 2/3.
    expect(na.report.status).toBe('WARNING');

    const rb = nb.report.report;
    expect(rb).toMatchObject({
      range: { low: 50000, high: 50499 },
      reservedInRange: 11,
      capacity: 489,
      tupleCount: 2,
      sysctls: { tcpTwReuse: 0 },
    });
    expect(Object.fromEntries(rb.tuples.map((t) => [`${t.localAddress}>${t.remoteAddress}:${t.remotePort}`, t.used]))).toEqual({
      '127.0.0.1>127.0.0.1:5000': 120,
      '::1>::1:5001': 40,
    });
    expect(nb.report.status).toBe('OK');

    const rc = nc.report.report;
    expect(rc).toMatchObject({ range: { low: 30000, high: 30019 }, reservedInRange: 1, capacity: 19, tupleCount: 1 });
    expect(rc.tuples[0]).toMatchObject({ used: 19, pressure: 1 });
    expect(nc.report.status).toBe('CRITICAL');

    // Worst first (other suites' namespaces may be measured too, so order is checked, not position),
    // and the exit code is the worst namespace's.
    const order = output.namespaces.map(
      (n) => [n.report.exitCode, Math.max(n.report.report.pressure, n.report.report.udp.pressure)] as const,
    );
    for (let i = 1; i < order.length; i++) {
      const [prev, cur] = [order[i - 1], order[i]];
      if (!prev || !cur) continue;
      expect(prev[0] > cur[0] || (prev[0] === cur[0] && prev[1] >= cur[1]), `namespace ${i} is worse than the one before it`).toBe(true);
    }
    const at = (inode: number) => output.namespaces.findIndex((n) => n.namespace.inode === inode);
    expect(at(inodes.c)).toBeLessThan(at(inodes.a));
    expect(at(inodes.a)).toBeLessThan(at(inodes.b));
    expect(exitCode).toBe(2);
    expect(output.status).toBe('CRITICAL');
  });

  it('gives the same figures from /proc/net read inside each namespace', async () => {
    const { output } = await checkAll(['--source', 'proc']);
    const pick = (inode: number) => output.namespaces.find((n) => n.namespace.inode === inode)?.report.report;
    for (const inode of [inodes.a, inodes.b, inodes.c]) expect(pick(inode)?.source).toBe('proc');
    expect(
      pick(inodes.b)
        ?.tuples.map((t) => t.used)
        .sort(),
    ).toEqual([120, 40].sort());
    expect(pick(inodes.c)?.tuples[0]?.used).toBe(19);
  });

  it.skipIf(lacks('all-namespaces textfile', 'prometheus'))(
    'writes one series per namespace for the textfile collector, valid for promtool',
    async () => {
      const { stdout, code } = await new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'apps/agent/src/main.ts', 'check', '--all-namespaces', '--format', 'prometheus'],
          { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
          (error, out) => resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout: out }),
        );
      });
      expect(code).toBe(2);
      const lint = await promtoolCheck(stdout);
      expect(lint).toEqual({ code: 0, output: '' });
      const line = (prefix: string, inode: number) =>
        stdout.split('\n').find((l) => l.startsWith(prefix) && l.includes(`netns_inode="${inode}"`));
      expect(line('portpressure_capacity_ports{', inodes.a)).toMatch(new RegExp(`netns_name="${a.name}".* 90$`));
      expect(line('portpressure_capacity_ports{', inodes.c)).toMatch(/netns_name="".* 19$/);
      expect(line('portpressure_check_status{', inodes.c)).toMatch(/ 2$/);
      expect(line('portpressure_tuple_used_ports{', inodes.b)).toMatch(/remote_port="5000"} 120$|remote_port="5001"} 40$/);
      expect(stdout.match(/^# TYPE portpressure_tuple_used_ports gauge$/gm)).toHaveLength(1);
    },
  );

  it('stops listing a namespace once it is deleted, and prints it worst first in text', async () => {
    const text = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'apps/agent/src/main.ts', 'check', '--all-namespaces'],
        { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout) => resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout }),
      );
    });
    expect(text.code).toBe(2);
    expect(text.stdout.split('\n')[0]).toMatch(/^PORTPRESSURE CRITICAL - \d+ network namespaces measured, worst: /);
    const sections = text.stdout.split('\n').filter((l) => l.startsWith('=== '));
    const index = (inode: number) => sections.findIndex((l) => l.includes(`(inode ${inode},`));
    expect(index(inodes.c)).toBeGreaterThanOrEqual(0);
    expect(index(inodes.c)).toBeLessThan(index(inodes.a));
    expect(text.stdout).toContain(`ip netns ${a.name}`);

    await a.destroy();
    const after = await checkAll();
    const seen = new Set(output(after).map((n) => n.namespace.inode));
    expect(seen.has(inodes.a)).toBe(false);
    expect(seen.has(inodes.b)).toBe(true);
    expect(seen.has(inodes.c)).toBe(true);
  });
});

describe.skipIf(lacks('namespaces that vanish, and no privilege', 'root'))(
  'namespaces that vanish, and an agent without the privilege',
  () => {
    it('reports a namespace deleted between discovery and measurement as gone, not as an error', async () => {
      const ns = await TestNamespace.create();
      const target = { path: `/run/netns/${ns.name}`, inode: inodeOf(`/run/netns/${ns.name}`) };
      await expect(measureNamespace(target, {}, DEFAULT_NAMESPACE_TOOLS)).resolves.toMatchObject({ report: { source: 'netlink' } });
      await ns.destroy();
      await expect(measureNamespace(target, {}, DEFAULT_NAMESPACE_TOOLS)).rejects.toBeInstanceOf(NamespaceGoneError);
    });

    it('reports a process-held namespace whose process exited as gone', async () => {
      const child = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' });
      try {
        const path = `/proc/${child.pid}/ns/net`;
        // unshare execs sleep once the namespace is made: wait until the link shows a new namespace.
        const own = inodeOf('/proc/self/ns/net');
        for (let i = 0; i < 100 && (!existsSync(path) || inodeOf(path) === own); i++) await new Promise((r) => setTimeout(r, 20));
        const target = { path, inode: inodeOf(path) };
        expect(target.inode).not.toBe(own);
        await expect(measureNamespace(target, {}, DEFAULT_NAMESPACE_TOOLS)).resolves.toBeTruthy();
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
        await expect(measureNamespace(target, {}, DEFAULT_NAMESPACE_TOOLS)).rejects.toBeInstanceOf(NamespaceGoneError);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('without CAP_SYS_ADMIN says so plainly and measures its own namespace', async () => {
      const ns = await TestNamespace.create();
      try {
        const argv = [
          '--bounding-set=-sys_admin',
          process.execPath,
          '--import',
          'tsx',
          'apps/agent/src/main.ts',
          'check',
          '--all-namespaces',
          '--json',
        ];
        const { stdout } = await run('setpriv', argv, { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 }).catch(
          (error: { stdout: string }) => ({ stdout: error.stdout }),
        );
        const out = JSON.parse(stdout) as AllOutput;
        expect(out.warnings).toEqual([
          expect.stringMatching(/^not allowed to enter other network namespaces \(needs root, or CAP_SYS_ADMIN/),
        ]);
        expect(out.namespaces.map((n) => n.namespace.host)).toEqual([true]);
        expect(out.namespaces[0]?.report.report.source).toBe('netlink');
      } finally {
        await ns.destroy();
      }
    });
  },
);

function output(r: { output: AllOutput }) {
  return r.output.namespaces;
}
