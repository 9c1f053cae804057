import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portReportSchema } from '@portpressure/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lacks } from '../../../../test/support/requirements.ts';
import { promtoolCheck } from '../../../../test/support/promtool.ts';
import { REPO_ROOT, useTestNamespace } from './netns.ts';

const run = promisify(execFile);

/** Samples of a text exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** `portpressure-agent check …` run inside a test namespace, as node_exporter's cron job would. */
const checkInNamespace = (nsName: string, args: string[]) =>
  run('ip', ['netns', 'exec', nsName, process.execPath, '--import', 'tsx', 'apps/agent/src/main.ts', 'check', ...args], { cwd: REPO_ROOT });

describe.skipIf(lacks('agent textfile output', 'root', 'prometheus'))('portpressure-agent check --format prometheus', () => {
  const ns = useTestNamespace('40000 40199');
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pp-textfile-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a textfile that promtool accepts and that matches check --json, atomically', async () => {
    const driver = await ns.driver();
    await driver.listen('127.0.0.1', 5000);
    await driver.listen('::1', 5000);
    await driver.listen('127.0.0.1', 5001);
    await driver.connect('a', '127.0.0.1', 5000, { max: 40 });
    await driver.connect('b', '::1', 5000, { max: 12 });
    await driver.connect('c', '127.0.0.1', 5001, { max: 7 });
    await ns.settle();

    const file = join(dir, 'portpressure.prom');
    const textfile = await checkInNamespace(ns.name, ['--format', 'prometheus', '--output', file]);
    expect(textfile.stdout).toBe('');
    // Only the target is left: the temporary file was renamed over it.
    expect(await readdir(dir)).toEqual(['portpressure.prom']);
    const text = await readFile(file, 'utf8');
    const lint = await promtoolCheck(text);
    expect(lint).toEqual({ code: 0, output: '' });

    const json = await ns.check(['--top', '10']);
    const report = portReportSchema.parse(json.output.report);
    const got = samples(text);
    expect(got.get('portpressure_check_status')).toBe(json.exitCode);
    expect(got.get('portpressure_pressure_ratio')).toBe(report.pressure);
    expect(got.get('portpressure_usable_ports')).toBe(report.usable);
    expect(got.get('portpressure_capacity_ports')).toBe(report.capacity);
    expect(got.get('portpressure_tuples')).toBe(report.tupleCount);
    expect(report.tuples).toHaveLength(3);
    const tupleSeries = [...got.keys()].filter((k) => k.startsWith('portpressure_tuple_used_ports{'));
    expect(tupleSeries).toHaveLength(report.tuples.length);
    for (const t of report.tuples) {
      const labels = `{protocol="${t.protocol}",local_address="${t.localAddress}",remote_address="${t.remoteAddress}",remote_port="${t.remotePort}"}`;
      expect(got.get(`portpressure_tuple_used_ports${labels}`)).toBe(t.used);
      expect(got.get(`portpressure_tuple_time_wait_ports${labels}`)).toBe(t.timeWait);
      expect(got.get(`portpressure_tuple_reclaimable_ports${labels}`)).toBe(t.reclaimable);
      expect(got.get(`portpressure_tuple_pressure_ratio${labels}`)).toBe(t.pressure);
    }
    expect(
      got.get('portpressure_tuple_used_ports{protocol="tcp",local_address="127.0.0.1",remote_address="127.0.0.1",remote_port="5000"}'),
    ).toBe(40);
  });

  it('refuses --json together with another format, changing nothing', async () => {
    const file = join(dir, 'portpressure.prom');
    const out = await checkInNamespace(ns.name, ['--json', '--format', 'prometheus', '--output', file]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect('code' in out ? out.code : 0).toBe(3);
    expect('stderr' in out ? out.stderr : '').toContain('contradict');
    expect(await readdir(dir)).toEqual([]);
  });
});
