import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portReportSchema } from '@portpressure/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, useTestNamespace } from './netns.ts';
import { lacks } from '../../../../test/support/requirements.ts';

const run = promisify(execFile);

describe.skipIf(lacks('agent check in a namespace', 'root'))('portpressure-agent check in a namespace', () => {
  const ns = useTestNamespace('40000 40199');

  it('gives identical reports from netlink and /proc on a mixed socket table', async () => {
    await ns.sysctl('ip_local_reserved_ports', '40100-40109,40150');
    await ns.sysctl('tcp_tw_reuse', '1');
    const driver = await ns.driver();
    const listeners = [
      ['127.0.0.1', 5000],
      ['::1', 5000],
      ['127.0.0.1', 5001],
      ['127.0.0.1', 5002],
      ['127.0.0.1', 5003],
      ['127.0.0.4', 5000],
      ['127.0.0.5', 5000],
      ['0.0.0.0', 40050],
      ['::', 40051],
    ] as const;
    for (const [host, port] of listeners) {
      await driver.listen(host, port);
    }
    await driver.connect('v4', '127.0.0.1', 5000, { max: 60 });
    // Enough sockets over several addresses that /proc/net/tcp takes many reads of one buffer.
    await driver.connect('bulk-4', '127.0.0.4', 5000, { max: 150 });
    await driver.connect('bulk-5', '127.0.0.5', 5000, { max: 150 });
    await driver.connect('v6', '::1', 5000, { max: 30 });
    await driver.connect('in-range', '127.0.0.1', 40050, { max: 20 });
    await driver.connect('mapped', '::ffff:127.0.0.1', 5001, { max: 25 });
    // Explicit ports: bind(0) on 127.0.0.3 in a range this crowded sometimes found no port (EADDRINUSE, 1 run in ~10).
    expect(
      await driver.connect('from-3', '127.0.0.1', 5000, { localAddress: '127.0.0.3', localPorts: [40060, 40061, 40062], max: 3 }),
    ).toMatchObject({
      succeeded: 3,
    });
    await driver.connect('tw', '127.0.0.1', 5002, { max: 15 });
    await driver.send({ op: 'close-clients', tag: 'tw' });
    await driver.connect('server-closes', '127.0.0.1', 5003, { max: 10 });
    await driver.send({ op: 'close-server-side', port: 5003 });
    await driver.send({ op: 'udp', host: '127.0.0.1', ports: [7000, 7001], max: 12 });
    // Let the TIME_WAIT entries pass tcp_tw_reuse_delay so both runs see them as reclaimable.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await ns.settle();

    // The accounting is compared; a diagnosis differs from run to run (times, rates).
    const netlink = await ns.check(['--source', 'netlink', '--no-diagnose']);
    const proc = await ns.check(['--source', 'proc', '--no-diagnose']);
    const a = portReportSchema.parse(netlink.output.report);
    const b = portReportSchema.parse(proc.output.report);
    expect(a.source).toBe('netlink');
    expect(b.source).toBe('proc');
    expect({ ...a, source: 'x' }).toEqual({ ...b, source: 'x' });
    expect(a).toMatchObject({ capacity: 189, bindOwned: 2, usable: 187, tupleCount: 8, udp: { used: 12, capacity: 189 } });
    const byTuple = Object.fromEntries(
      a.tuples.map((t) => [`${t.localAddress}>${t.remoteAddress}:${t.remotePort}`, [t.used, t.timeWait, t.reclaimable]]),
    );
    expect(byTuple).toEqual({
      '127.0.0.1>127.0.0.1:5000': [60, 0, 0],
      '::1>::1:5000': [30, 0, 0],
      '127.0.0.1>127.0.0.1:40050': [20, 0, 0],
      '127.0.0.1>127.0.0.1:5001': [25, 0, 0],
      '127.0.0.3>127.0.0.1:5000': [3, 0, 0],
      '127.0.0.1>127.0.0.1:5002': [15, 15, 15],
      '127.0.0.1>127.0.0.4:5000': [150, 0, 0],
      '127.0.0.1>127.0.0.5:5000': [150, 0, 0],
    });
  });

  it('exits 1 at 2/3 of usable, and follows --warning and --critical', async () => {
    await ns.sysctl('ip_local_port_range', '40000 40099');
    const driver = await ns.driver();
    await driver.listen('127.0.0.1', 5000);
    await driver.connect('c', '127.0.0.1', 5000, { max: 70 });
    expect((await ns.check([])).exitCode).toBe(1);
    expect((await ns.check(['--warning', '80%'])).exitCode).toBe(0);
    expect((await ns.check(['--critical', '0.7'])).exitCode).toBe(2);
  });

  it('prints a readable summary as a new user would see it', async () => {
    await ns.sysctl('ip_local_port_range', '40000 40099');
    await ns.sysctl('tcp_tw_reuse', '0');
    const driver = await ns.driver();
    await driver.listen('127.0.0.1', 5000);
    await driver.connect('c', '127.0.0.1', 5000, { max: 95 });
    await driver.send({ op: 'close-clients', tag: 'c' });
    const result = await run('ip', ['netns', 'exec', ns.name, 'npx', 'portpressure-agent', 'check'], { cwd: REPO_ROOT }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.code).toBe(2);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^PORTPRESSURE CRITICAL - worst tuple 127\.0\.0\.1 → 127\.0\.0\.1:5000 at 95% \(95 of 100 usable ports blocked\) \| pressure=0\.95;/,
    );
    expect(result.stdout).toMatch(/95%\s+95\/100\s+95\s+0\s+127\.0\.0\.1 → 127\.0\.0\.1:5000\s+TIME_WAIT 95/);
    expect(result.stdout).toContain('net.ipv4.tcp_tw_reuse=0: set it to 1');
  });

  describe('without a working ss', () => {
    let bin: string;

    beforeEach(async () => {
      bin = await mkdtemp(join(tmpdir(), 'pp-bin-'));
    });

    afterEach(async () => {
      await rm(bin, { recursive: true, force: true });
    });

    const envWithPath = (path: string) => ({ ...process.env, PATH: path });

    it('falls back to /proc with a warning when ss is missing, and fails with netlink asked for', async () => {
      const { stdout: ipPath } = await run('sh', ['-c', 'command -v ip']);
      const env = envWithPath(bin);
      const auto = await ns.check(['--source', 'auto'], env, ipPath.trim());
      expect(auto.output.report?.source).toBe('proc');
      expect(auto.output.warnings).toEqual([expect.stringContaining('"ss" was not found')]);
      expect(auto.exitCode).toBe(0);

      const netlink = await ns.check(['--source', 'netlink'], env, ipPath.trim());
      expect(netlink.exitCode).toBe(3);
      expect(netlink.output).toMatchObject({ status: 'UNKNOWN', error: { code: 'SS_MISSING' } });
    });

    it('falls back when ss prints something it cannot parse', async () => {
      await writeFile(join(bin, 'ss'), '#!/bin/sh\necho "Segmentation fault? no: garbage"\n');
      await chmod(join(bin, 'ss'), 0o755);
      const { stdout: ipPath } = await run('sh', ['-c', 'command -v ip']);
      const env = envWithPath(`${bin}:${process.env.PATH ?? ''}`);
      const auto = await ns.check([], env, ipPath.trim());
      expect(auto.output.report?.source).toBe('proc');
      expect(auto.output.warnings?.[0]).toMatch(/ss output: .*garbage/);
      const netlink = await ns.check(['--source', 'netlink'], env, ipPath.trim());
      expect(netlink.output).toMatchObject({ status: 'UNKNOWN', error: { code: 'MALFORMED_OUTPUT' } });
    });
  });
});
