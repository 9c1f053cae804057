import { buildPortReport } from '@portpressure/domain';
import type { SocketRecord } from '@portpressure/domain';
import type { PortReport } from '@portpressure/protocol';
import { describe, expect, it } from 'vitest';
import { CollectError } from '../collect/index.ts';
import type { CollectOptions, CollectResult } from '../collect/index.ts';
import { runCheck } from './check-command.ts';

function clients(count: number, overrides: Partial<SocketRecord> = {}): SocketRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    state: 'ESTABLISHED' as const,
    localAddress: '127.0.0.1',
    localPort: 40000 + i,
    remoteAddress: '127.0.0.1',
    remotePort: 5000,
    timeWaitSecondsLeft: null,
    ...overrides,
  }));
}

function reportWith(tcp: SocketRecord[], udp: SocketRecord[] = [], maxTuples = 1000): PortReport {
  return buildPortReport({
    source: 'netlink',
    range: { low: 40000, high: 40099 },
    reservedPorts: '',
    sysctls: { tcpTwReuse: 0, tcpTwReuseDelayMs: 1000, tcpTimestamps: 1, tcpFinTimeout: 60, tcpMaxTwBuckets: 262144 },
    tcp,
    udp,
    maxTuples,
  });
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  options: CollectOptions[];
}

async function check(argv: string[], collect: (o: CollectOptions) => Promise<CollectResult>): Promise<Captured> {
  const captured: Captured = { code: -1, stdout: '', stderr: '', options: [] };
  captured.code = await runCheck(argv, {
    stdout: (t) => (captured.stdout += t),
    stderr: (t) => (captured.stderr += t),
    writeFile: () => Promise.reject(new Error('this test writes to stdout only')),
    collect: (o) => {
      captured.options.push(o);
      return collect(o);
    },
  });
  return captured;
}

const measured =
  (tcp: SocketRecord[], udp: SocketRecord[] = []) =>
  (o: CollectOptions) =>
    Promise.resolve({ report: reportWith(tcp, udp, o.maxTuples), warnings: [] });

describe('runCheck', () => {
  it('exits 0 with an OK line below the warning threshold', async () => {
    const out = await check([], measured(clients(50)));
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      /^PORTPRESSURE OK - worst tuple 127\.0\.0\.1 → 127\.0\.0\.1:5000 at 50% \(50 of 100 usable ports blocked\) \| pressure=0\.5;0\.6667;0\.9;0;1/,
    );
  });

  it('exits 1 from 2/3 of usable and 2 from 90% by default', async () => {
    expect((await check([], measured(clients(67)))).code).toBe(1);
    expect((await check([], measured(clients(90)))).code).toBe(2);
  });

  it('follows --warning and --critical, as ratios or percentages', async () => {
    expect((await check(['--warning', '80%'], measured(clients(70)))).code).toBe(0);
    expect((await check(['--critical=0.7', '--warning', '0.5'], measured(clients(70)))).code).toBe(2);
  });

  it('counts a full UDP pool as critical', async () => {
    const out = await check([], measured([], clients(100, { remotePort: 53 })));
    expect(out.code).toBe(2);
    expect(out.stdout).toContain('UDP pool at 100%');
  });

  it('prints the summary a person needs, with a hint about TIME_WAIT and tcp_tw_reuse=0', async () => {
    const tcp = clients(95, { state: 'TIME_WAIT', timeWaitSecondsLeft: 50 });
    const out = await check(['--top', '3'], measured(tcp));
    expect(out.stdout).toContain('Range        40000-40099: 100 ports, 0 reserved (ip_local_reserved_ports) → capacity 100');
    expect(out.stdout).toContain('→ usable 100 per tuple');
    expect(out.stdout).toMatch(/95%\s+95\/100\s+95\s+0\s+127\.0\.0\.1 → 127\.0\.0\.1:5000\s+TIME_WAIT 95/);
    expect(out.stdout).toContain('95 of 100 ports used by some TCP socket');
    expect(out.stdout).toContain('tcp_tw_reuse=0 (off)');
    expect(out.stdout).toMatch(/TIME_WAIT holds 95 of 95 ports .* net\.ipv4\.tcp_tw_reuse=0: set it to 1/);
    expect(out.options).toEqual([{ source: 'auto', maxTuples: 3 }]);
  });

  it('prints JSON with the port-accounting names and the verdict', async () => {
    const out = await check(['--json', '--source', 'proc'], measured(clients(100)));
    const parsed = JSON.parse(out.stdout) as { status: string; exitCode: number; report: PortReport; hints: { code: string }[] };
    expect(parsed).toMatchObject({ status: 'CRITICAL', exitCode: 2, report: { capacity: 100, usable: 100, bindOwned: 0, pressure: 1 } });
    expect(parsed.report.tuples[0]).toMatchObject({ used: 100, timeWait: 0, reclaimable: 0 });
    expect(parsed.hints.map((h) => h.code)).toContain('TUPLE_PRESSURE');
    expect(out.options).toEqual([{ source: 'proc', maxTuples: 1000 }]);
  });

  it('takes --source ss, and netlink as its old name, both running the ss collector', async () => {
    for (const name of ['ss', 'netlink']) {
      const out = await check(['--json', '--source', name], measured(clients(10)));
      expect(out.options, name).toEqual([{ source: 'netlink', maxTuples: 1000 }]);
    }
  });

  it('turns a measurement failure into UNKNOWN (exit 3) with the reason and no stack trace', async () => {
    const fail = () => Promise.reject(new CollectError('PROC_UNREADABLE', 'cannot read /proc/net/tcp: EACCES'));
    const out = await check([], fail);
    expect(out.code).toBe(3);
    expect(out.stdout).toBe('PORTPRESSURE UNKNOWN - cannot measure this host: cannot read /proc/net/tcp: EACCES [PROC_UNREADABLE]\n');
    const json = await check(['--json'], fail);
    expect(JSON.parse(json.stdout)).toEqual({
      status: 'UNKNOWN',
      exitCode: 3,
      error: { code: 'PROC_UNREADABLE', message: 'cannot read /proc/net/tcp: EACCES' },
    });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--top', '-1'], /--top/],
    [['--top', '5000'], /--top takes a whole number from 0 to 1000/],
    [['--warning', '1.5'], /--warning takes a pressure above 0 and at most 1/],
    [['--warning', '0.95'], /must not be above --critical/],
    [['--source', 'kernel'], /--source takes auto, ss, proc \(netlink is the old name of ss\)/],
    [['extra'], /positional/],
  ])('refuses %j with a clear message and exit 3', async (argv, message) => {
    const out = await check(argv, measured([]));
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(message);
    expect(out.stdout).toBe('');
    expect(out.options).toEqual([]);
  });

  it('prints help and exits 0', async () => {
    const out = await check(['--help'], measured([]));
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Usage: portpressure-agent check');
  });
});
