import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CollectError } from './collect-error.ts';
import { collectReportFrom } from './collect-report.ts';
import type { CollectEnvironment } from './collect-report.ts';

// Fixture directories stand in for /proc/sys/net/ipv4 and /proc/net; the netns tests cover the real ones.

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11018 1 00000000b312513b 100 0 0 10 0
   1: 0100007F:9C4A 0100007F:1388 01 00000000:00000000 00:00000000 00000000     0        0 11338 2 000000006f1ccf63 20 0 0 10 -1
   2: 0100007F:9C4C 0100007F:1388 06 00000000:00000000 03:00001000 00000000     0        0 0 3 00000000b74fd8ba
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 1670: 0100007F:9CA0 0100007F:1B58 01 00000000:00000000 00:00000000 00000000     0        0 11348 2 0000000091d03896 0
`;

let dir: string;
let environment: CollectEnvironment;

async function writeSysctls(values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await writeFile(join(environment.sysctlDir, name), `${value}\n`);
}

/** A fake `ss` that prints `stdout`, writes `stderr` and exits with `code`. */
async function fakeSs(stdout: string, code = 0, stderr = ''): Promise<void> {
  const script = `#!/bin/sh\nprintf '%s' '${stdout}'\nprintf '%s' '${stderr}' >&2\nexit ${code}\n`;
  await writeFile(environment.ssCommand, script);
  await chmod(environment.ssCommand, 0o755);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pp-collect-'));
  environment = { sysctlDir: join(dir, 'sys'), procNetDir: join(dir, 'net'), ssCommand: join(dir, 'bin', 'ss'), littleEndian: true };
  await mkdir(environment.sysctlDir);
  await mkdir(environment.procNetDir);
  await mkdir(join(dir, 'bin'));
  await writeSysctls({
    ip_local_port_range: '40000\t40099',
    ip_local_reserved_ports: '',
    tcp_tw_reuse: '2',
    tcp_tw_reuse_delay: '1000',
    tcp_timestamps: '1',
    tcp_fin_timeout: '60',
    tcp_max_tw_buckets: '262144',
  });
  await writeFile(join(environment.procNetDir, 'tcp'), TCP);
  await writeFile(join(environment.procNetDir, 'udp'), UDP);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('collectReportFrom', () => {
  it('builds a report from /proc/net with the namespace sysctls, tolerating a host without IPv6', async () => {
    const { report, warnings } = await collectReportFrom({ source: 'proc' }, environment);
    expect(warnings).toEqual([]);
    expect(report).toMatchObject({
      source: 'proc',
      range: { low: 40000, high: 40099 },
      capacity: 100,
      usable: 100,
      tupleCount: 1,
      udp: { used: 1 },
    });
    // 0x1000 ticks = 40.96 s left: old enough to recycle on loopback with tcp_tw_reuse=2.
    expect(report.tuples[0]).toMatchObject({ used: 2, timeWait: 1, reclaimable: 1, states: { ESTABLISHED: 1, TIME_WAIT: 1 } });
    expect(report.sysctls).toEqual({
      tcpTwReuse: 2,
      tcpTwReuseDelayMs: 1000,
      tcpTimestamps: 1,
      tcpFinTimeout: 60,
      tcpMaxTwBuckets: 262144,
    });
  });

  it('reads sockets through ss and says so', async () => {
    // The fake answers both the -4 and the -6 call with the same lines.
    await fakeSs('tcp ESTAB 0 0 127.0.0.1:40010 127.0.0.1:5000\nudp UNCONN 0 0 0.0.0.0:40011 0.0.0.0:*\n');
    const { report } = await collectReportFrom({ source: 'netlink' }, environment);
    expect(report).toMatchObject({ source: 'netlink', tupleCount: 1, tuples: [{ used: 2 }], udp: { used: 1 } });
  });

  it('falls back to /proc with a warning when ss is missing', async () => {
    const { report, warnings } = await collectReportFrom({ source: 'auto' }, environment);
    expect(report.source).toBe('proc');
    expect(warnings).toEqual([expect.stringMatching(/netlink source unavailable .*ss.* was not found.*read \/proc\/net instead/)]);
  });

  it('refuses to fall back when netlink was asked for explicitly', async () => {
    await expect(collectReportFrom({ source: 'netlink' }, environment)).rejects.toMatchObject({ code: 'SS_MISSING' });
  });

  it('reports a failing ss with its exit code and first stderr line, and falls back in auto', async () => {
    await fakeSs('', 1, 'Cannot open netlink socket: Protocol not supported');
    const error = await collectReportFrom({ source: 'netlink' }, environment).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectError);
    expect(error).toMatchObject({ code: 'SS_FAILED', message: expect.stringMatching(/exited with 1: Cannot open netlink socket/) });
    const { report, warnings } = await collectReportFrom({}, environment);
    expect(report.source).toBe('proc');
    expect(warnings[0]).toMatch(/exited with 1/);
  });

  it('reports malformed ss output and falls back in auto', async () => {
    await fakeSs('this is not ss output\n');
    await expect(collectReportFrom({ source: 'netlink' }, environment)).rejects.toMatchObject({
      code: 'MALFORMED_OUTPUT',
      message: expect.stringContaining('this is not ss output'),
    });
    expect((await collectReportFrom({}, environment)).report.source).toBe('proc');
  });

  it('names the /proc file it cannot read', async () => {
    await rm(join(environment.procNetDir, 'tcp'));
    await expect(collectReportFrom({ source: 'proc' }, environment)).rejects.toMatchObject({
      code: 'PROC_UNREADABLE',
      message: expect.stringContaining(join(environment.procNetDir, 'tcp')),
    });
  });

  it('names the /proc file with a malformed line', async () => {
    await writeFile(join(environment.procNetDir, 'tcp6'), '  sl  local_address\n   0: 0000:1388 garbage\n');
    await expect(collectReportFrom({ source: 'proc' }, environment)).rejects.toMatchObject({
      code: 'MALFORMED_OUTPUT',
      message: expect.stringMatching(/tcp6: line too short: "0: 0000:1388 garbage"/),
    });
  });

  it('reads a kernel without tcp_tw_reuse_delay as the fixed one-second delay', async () => {
    await rm(join(environment.sysctlDir, 'tcp_tw_reuse_delay'));
    const { report } = await collectReportFrom({ source: 'proc' }, environment);
    expect(report.sysctls.tcpTwReuseDelayMs).toBeNull();
  });

  it('refuses unreadable and nonsensical sysctls by name', async () => {
    await writeSysctls({ tcp_tw_reuse: '7' });
    await expect(collectReportFrom({ source: 'proc' }, environment)).rejects.toMatchObject({
      code: 'SYSCTL_INVALID',
      message: expect.stringContaining('tcp_tw_reuse'),
    });
    await writeSysctls({ tcp_tw_reuse: '1', ip_local_port_range: '60000 50000' });
    await expect(collectReportFrom({ source: 'proc' }, environment)).rejects.toMatchObject({
      code: 'SYSCTL_INVALID',
      message: expect.stringContaining('ip_local_port_range'),
    });
    await rm(join(environment.sysctlDir, 'tcp_timestamps'));
    await expect(collectReportFrom({ source: 'proc' }, environment)).rejects.toMatchObject({
      code: 'SYSCTL_UNREADABLE',
      message: expect.stringContaining('tcp_timestamps'),
    });
  });

  it('refuses bad options', async () => {
    await expect(collectReportFrom({ maxTuples: 5000 }, environment)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('lists at most maxTuples while counting all', async () => {
    await fakeSs('tcp ESTAB 0 0 127.0.0.1:40010 127.0.0.1:5000\ntcp ESTAB 0 0 127.0.0.1:40011 127.0.0.1:5001\n');
    const { report } = await collectReportFrom({ source: 'netlink', maxTuples: 1 }, environment);
    expect(report.tuples).toHaveLength(1);
    expect(report.tupleCount).toBe(2);
  });
});
