import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { portReportSchema } from '@portpressure/protocol';
import type { PortReport } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { type TestNamespace, useTestNamespace } from './netns.ts';
import { lacks } from '../../../../test/support/requirements.ts';

const run = promisify(execFile);

/** Distinct local ports of 40000-40099 over all TCP sockets, read with `ss` and a plain split (not the agent's parser). */
async function distinctLocalPortsInRange(ns: TestNamespace): Promise<number> {
  const { stdout } = await run('ip', ['netns', 'exec', ns.name, 'ss', '-tanH']);
  const ports = new Set<number>();
  for (const line of stdout.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    const port = Number(local?.slice(local.lastIndexOf(':') + 1));
    if (port >= 40000 && port <= 40099) ports.add(port);
  }
  return ports.size;
}

/**
 * The test cases T1-T11 of docs/domain.md against the real kernel: each case gets a fresh namespace with range
 * 40000-40099, makes real sockets on loopback from a child process in it, runs the agent's
 * `check --json --source <source>` in it, and compares the report with what the kernel did.
 * Called once per source (kernel-cases.<source>.test.ts) so both run the same cases.
 */
export function defineKernelCases(source: 'netlink' | 'proc'): void {
  describe.skipIf(lacks(`kernel cases (${source})`, 'root'))(`docs/domain.md cases against the kernel, source ${source}`, () => {
    const ns = useTestNamespace('40000 40099');

    async function check(...args: string[]): Promise<{ report: PortReport; exitCode: number }> {
      await ns.settle();
      const result = await ns.check(['--source', source, ...args]);
      if (!result.output.report) throw new Error(`check failed: ${JSON.stringify(result.output)} ${result.stderr}`);
      // The API validates snapshots with this schema; the agent's report must pass it as is.
      const report = portReportSchema.parse(result.output.report);
      expect(report.source).toBe(source);
      expect(result.output.exitCode).toBe(result.exitCode);
      return { report, exitCode: result.exitCode };
    }

    /** With tcp_tw_reuse set to `reuse`: 100 connections to 127.0.0.1:5000 filling the range, then closed by the client (TIME_WAIT on its side). */
    async function clientClosedTuple(reuse: '0' | '2', tag: string) {
      await ns.sysctl('tcp_tw_reuse', reuse);
      const driver = await ns.driver();
      await driver.listen('127.0.0.1', 5000);
      expect((await driver.connect(tag, '127.0.0.1', 5000)).succeeded).toBe(100);
      await driver.send({ op: 'close-clients', tag });
      return driver;
    }

    it('T1: connects until EADDRNOTAVAIL, and the number that succeeded is usable, at pressure 1', async () => {
      const driver = await ns.driver();
      await driver.listen('127.0.0.1', 5000);
      const connects = await driver.connect('t1', '127.0.0.1', 5000);
      expect(connects.error).toBe('EADDRNOTAVAIL');
      expect(connects.succeeded).toBe(100);

      const { report, exitCode } = await check();
      expect(report).toMatchObject({
        capacity: 100,
        bindOwned: 0,
        usable: connects.succeeded,
        pressure: 1,
        tupleCount: 1,
        hostPortsInUse: 100,
      });
      expect(report.tuples[0]).toMatchObject({
        protocol: 'tcp',
        localAddress: '127.0.0.1',
        remoteAddress: '127.0.0.1',
        remotePort: 5000,
        used: 100,
        timeWait: 0,
        pressure: 1,
        states: { ESTABLISHED: 100 },
      });
      expect(exitCode).toBe(2);
    });

    it('T2: the same ports serve other destinations and source addresses: four tuples at 100/100', async () => {
      const driver = await ns.driver();
      await driver.listen('127.0.0.1', 5000);
      await driver.listen('127.0.0.1', 5001);
      await driver.listen('127.0.0.2', 5000);
      const results = [
        await driver.connect('a', '127.0.0.1', 5000),
        await driver.connect('b', '127.0.0.1', 5001),
        await driver.connect('c', '127.0.0.2', 5000),
        // Node can only pick a source address by bind() before connect(); the kernel still allows
        // one connection per port of the range for this tuple (bind(0) then fails with EADDRINUSE).
        await driver.connect('d', '127.0.0.1', 5000, { localAddress: '127.0.0.3' }),
      ];
      expect(results.map((r) => r.succeeded)).toEqual([100, 100, 100, 100]);
      expect(results.slice(0, 3).map((r) => r.error)).toEqual(['EADDRNOTAVAIL', 'EADDRNOTAVAIL', 'EADDRNOTAVAIL']);

      const { report } = await check();
      expect(report.tupleCount).toBe(4);
      expect(report.hostPortsInUse).toBe(100);
      const tuples = report.tuples
        .map((t) => `${t.localAddress}>${t.remoteAddress}:${t.remotePort} ${t.used}/${report.usable} ${t.pressure}`)
        .sort();
      expect(tuples).toEqual([
        '127.0.0.1>127.0.0.1:5000 100/100 1',
        '127.0.0.1>127.0.0.1:5001 100/100 1',
        '127.0.0.1>127.0.0.2:5000 100/100 1',
        '127.0.0.3>127.0.0.1:5000 100/100 1',
      ]);
    });

    it('T3: reserved ports leave the range: 87 connects, capacity 87', async () => {
      await ns.sysctl('ip_local_reserved_ports', '40000-40009,40050,40098-40099');
      const driver = await ns.driver();
      await driver.listen('127.0.0.1', 5000);
      const connects = await driver.connect('t3', '127.0.0.1', 5000);
      expect(connects).toMatchObject({ succeeded: 87, error: 'EADDRNOTAVAIL' });

      const { report } = await check();
      expect(report).toMatchObject({
        reservedPorts: '40000-40009,40050,40098-40099',
        reservedInRange: 13,
        capacity: 87,
        usable: 87,
        pressure: 1,
      });
      expect(report.usable).toBe(connects.succeeded);
      expect(report.tuples[0]?.used).toBe(87);
    });

    it('T4: listeners inside the range are lost to every tuple: 98 connects, bindOwned 2', async () => {
      const driver = await ns.driver();
      await driver.listen('0.0.0.0', 40050);
      await driver.listen('::', 40051);
      await driver.listen('127.0.0.1', 5000);
      const connects = await driver.connect('t4', '127.0.0.1', 5000);
      expect(connects).toMatchObject({ succeeded: 98, error: 'EADDRNOTAVAIL' });

      const { report, exitCode } = await check();
      expect(report).toMatchObject({ bindOwned: 2, usable: 98, pressure: 1 });
      expect(report.usable).toBe(connects.succeeded);
      expect(report.tuples[0]).toMatchObject({ used: 98, pressure: 1 });
      expect(exitCode).toBe(2);
    });

    it('T5: client-closed connections stay in TIME_WAIT and block the tuple with tcp_tw_reuse=0', async () => {
      const driver = await clientClosedTuple('0', 't5');

      const { report } = await check();
      expect(report.sysctls.tcpTwReuse).toBe(0);
      expect(report.tuples[0]).toMatchObject({ used: 100, timeWait: 100, reclaimable: 0, pressure: 1, states: { TIME_WAIT: 100 } });
      // And the kernel agrees: no new connection to that tuple.
      expect(await driver.connect('again', '127.0.0.1', 5000, { max: 1 })).toMatchObject({ succeeded: 0, error: 'EADDRNOTAVAIL' });
    });

    it('T6: with tcp_tw_reuse=2 on loopback, TIME_WAIT older than the delay is reclaimable and reconnects succeed', async () => {
      const driver = await clientClosedTuple('2', 't6');
      await new Promise((resolve) => setTimeout(resolve, 1500));

      const { report, exitCode } = await check();
      expect(report.tuples[0]).toMatchObject({ used: 100, timeWait: 100, reclaimable: 100, pressure: 0 });
      expect(report.pressure).toBe(0);
      expect(exitCode).toBe(0);
      expect(await driver.connect('again', '127.0.0.1', 5000, { max: 100 })).toMatchObject({ succeeded: 100, error: null });
    });

    it('T7: when the server closes first its TIME_WAIT is not counted and the tuple is empty', async () => {
      const driver = await ns.driver();
      await driver.listen('127.0.0.1', 5000);
      expect((await driver.connect('t7', '127.0.0.1', 5000)).succeeded).toBe(100);
      await driver.send({ op: 'close-server-side', port: 5000 });
      // The scenario is real: the server side holds 100 TIME_WAIT entries on port 5000.
      const { stdout } = await run('ip', ['netns', 'exec', ns.name, 'ss', '-tanH', 'state', 'time-wait', '( sport = :5000 )']);
      expect(stdout.trim().split('\n')).toHaveLength(100);

      const { report } = await check();
      expect(report).toMatchObject({ tupleCount: 0, tuples: [], pressure: 0, hostPortsInUse: 0 });
      expect(await driver.connect('again', '127.0.0.1', 5000)).toMatchObject({ succeeded: 100, error: 'EADDRNOTAVAIL' });
    });

    it('T8: IPv4 and v4-mapped IPv6 connections to one destination share one tuple of 100', async () => {
      const driver = await ns.driver();
      await driver.listen('127.0.0.1', 5000);
      expect((await driver.connect('v4', '127.0.0.1', 5000, { max: 50 })).succeeded).toBe(50);
      const mapped = await driver.connect('mapped', '::ffff:127.0.0.1', 5000);
      expect(mapped).toMatchObject({ succeeded: 50, error: 'EADDRNOTAVAIL' });

      const { report } = await check();
      expect(report.tupleCount).toBe(1);
      expect(report.tuples[0]).toMatchObject({
        localAddress: '127.0.0.1',
        remoteAddress: '127.0.0.1',
        remotePort: 5000,
        used: 100,
        pressure: 1,
      });
    });

    it('T9: IPv4 and ::1 connections to port 5000 are two tuples', async () => {
      const driver = await ns.driver();
      await driver.listen('127.0.0.1', 5000);
      await driver.listen('::1', 5000);
      expect((await driver.connect('v4', '127.0.0.1', 5000, { max: 50 })).succeeded).toBe(50);
      expect((await driver.connect('v6', '::1', 5000, { max: 50 })).succeeded).toBe(50);

      const { report } = await check();
      expect(report.tupleCount).toBe(2);
      const tuples = report.tuples.map((t) => `${t.localAddress}>${t.remoteAddress}:${t.remotePort} ${t.used}`).sort();
      expect(tuples).toEqual(['127.0.0.1>127.0.0.1:5000 50', '::1>::1:5000 50']);
      expect(report.pressure).toBe(0.5);
      // Different tuples may reuse the same port numbers; count what the kernel shows.
      expect(report.hostPortsInUse).toBe(await distinctLocalPortsInRange(ns));
    });

    it('T10: connected UDP sockets to 7 destinations exhaust the UDP pool at 100', async () => {
      const driver = await ns.driver();
      const udp = await driver.send({ op: 'udp', host: '127.0.0.1', ports: [7000, 7001, 7002, 7003, 7004, 7005, 7006] });
      expect(udp.succeeded).toBe(100);
      // The kernel says EAGAIN when connect() autobinds; Node binds port 0 first, which says EADDRINUSE.
      expect(['EAGAIN', 'EADDRINUSE']).toContain(udp.error);

      const { report, exitCode } = await check();
      expect(report.udp).toEqual({ used: 100, capacity: 100, pressure: 1 });
      expect(report.tupleCount).toBe(0);
      expect(exitCode).toBe(2);
    });

    it('T11: connections accepted by a listener inside the range are server side, not tuples', async () => {
      const driver = await ns.driver();
      await driver.listen('0.0.0.0', 40050);
      expect((await driver.connect('t11', '127.0.0.1', 40050, { max: 20 })).succeeded).toBe(20);

      const { report } = await check();
      expect(report).toMatchObject({ bindOwned: 1, usable: 99, tupleCount: 1, hostPortsInUse: 21 });
      expect(report.tuples[0]).toMatchObject({ localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', remotePort: 40050, used: 20 });
    });
  });
}
