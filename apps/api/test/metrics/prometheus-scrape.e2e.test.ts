import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createdApiTokenSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lacks } from '../../../../test/support/requirements.ts';
import { promtoolCheck } from '../../../../test/support/promtool.ts';
import { spawnAgent, type AgentProcess } from '../support/agent-process.ts';
import { startApiHarness, TEST_ENROLLMENT_TOKEN, type ApiHarness } from '../support/api-harness.ts';
import { startPrometheus, type PrometheusServer } from './prometheus-server.ts';
import { storedSnapshots } from '../support/stored-history.ts';
import { waitUntil } from '../../../../test/support/wait.ts';

/**
 * The real API, a real agent process measuring this machine, and a real Prometheus scraping the
 * API with an API token: what PromQL answers is what PostgreSQL holds.
 */
describe.skipIf(lacks('Prometheus scraping the API', 'prometheus'))('Prometheus scraping the API', () => {
  let h: ApiHarness;
  let prometheus: PrometheusServer | undefined;
  let agent: AgentProcess | undefined;
  let stateDir: string;
  let token: string;
  let server: net.Server | undefined;
  const clients: net.Socket[] = [];

  beforeAll(async () => {
    h = await startApiHarness({ PORTPRESSURE_INTERVAL_SECONDS: '1', PORTPRESSURE_METRICS_TOP_TUPLES: '3' });
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'portpressure-agent-'));
    const res = await h.authedFetch('/api/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'prometheus', scope: 'read' }),
    });
    token = createdApiTokenSchema.parse(await res.json()).token;
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    server?.close();
    await agent?.stop();
    await prometheus?.stop();
    await h?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('returns the host pressure PostgreSQL holds, and promtool finds no problem in the exposition', async () => {
    // Connections of our own, so the host's pressure is not zero whatever else this machine runs.
    server = net.createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    for (let i = 0; i < 25; i += 1) {
      clients.push(
        await new Promise<net.Socket>((resolve, reject) => {
          const c = net.connect(port, '127.0.0.1', () => resolve(c));
          c.once('error', reject);
        }),
      );
    }
    prometheus = await startPrometheus({ host: '127.0.0.1', port: h.api.port, token });
    agent = spawnAgent([
      '--server',
      h.api.url,
      '--enrollment-token',
      TEST_ENROLLMENT_TOKEN,
      '--interval',
      '1',
      '--state-dir',
      stateDir,
      '--source',
      'proc',
    ]);
    const host = await waitUntil(
      'the agent to report three snapshots',
      async () => {
        const { rows } = await h.db.query<{ id: string; hostname: string; n: number }>(
          'SELECT h.id, h.hostname, count(*)::int AS n FROM hosts h JOIN snapshots s ON s.host_id = h.id GROUP BY h.id',
        );
        return rows[0] && rows[0].n >= 3 ? rows[0] : undefined;
      },
      60_000,
      () => agent!.output(),
    );
    await agent.stop();
    agent = undefined;
    const stoppedAt = Date.now() / 1000;
    const { rows } = await h.db.query<{ pressure: number; usable: number }>(
      `SELECT pressure, (summary->>'usable')::int AS usable FROM hosts WHERE id = $1`,
      [host.id],
    );
    const stored = rows[0]!;
    expect(stored.pressure).toBeGreaterThan(0);

    // a sample scraped after the agent stopped holds the final stored value
    const selector = `{job="portpressure",host_id="${host.id}"}`;
    const sample = await waitUntil(
      'Prometheus to scrape the final pressure',
      async () => {
        const [scraped] = await prometheus!.query(`timestamp(portpressure_host_pressure_ratio${selector})`);
        if (!scraped || Number(scraped.value[1]) <= stoppedAt + 0.5) return undefined;
        const [value] = await prometheus!.query(`portpressure_host_pressure_ratio${selector}`);
        return value;
      },
      30_000,
      () => prometheus!.output(),
    );
    expect(sample.metric).toMatchObject({ host_id: host.id, hostname: host.hostname, instance: `127.0.0.1:${h.api.port}` });
    expect(Number(sample.value[1])).toBe(stored.pressure);
    const [usable] = await prometheus.query(`portpressure_host_usable_ports${selector}`);
    expect(Number(usable!.value[1])).toBe(stored.usable);
    const [up] = await prometheus.query('up{job="portpressure"}');
    expect(up!.value[1]).toBe('1');
    const [stores] = await prometheus.query('portpressure_snapshots_stored_total{job="portpressure"}');
    expect(Number(stores!.value[1])).toBeGreaterThanOrEqual(3);

    const scrape = await fetch(`${h.api.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const text = await scrape.text();
    expect(await promtoolCheck(text)).toEqual({ code: 0, output: '' });
    // per-tuple series: at most the configured top 3 of the host
    const tupleSeries = text.split('\n').filter((l) => l.startsWith('portpressure_tuple_used_ports{'));
    const latest = (await storedSnapshots(h.db, host.id)).at(-1);
    expect(tupleSeries).toHaveLength(Math.min(3, latest!.report.tuples.length));
    expect(text).toMatch(new RegExp(`^portpressure_agent_info\\{host_id="${host.id}",hostname="[^"]+",version="[^"]+"\\} 1$`, 'm'));
  }, 120_000);
});
