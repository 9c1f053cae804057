import { decodeSparkline, fleetSchema } from '@portpressure/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectEnrolled,
  hostSummaryOf,
  isAck,
  signIn,
  startAnotherApi,
  startApiHarness,
  type AgentClient,
  type ApiHarness,
} from './support/api-harness.ts';
import { aHello, aReport, aSnapshot, aTuple } from './support/factories.ts';
import { poll } from '../../../test/support/wait.ts';
import { DestinationsCacheService } from '../src/destinations/destinations-cache.service.ts';
import { FleetCacheService, WATCHED_FOR_MS } from '../src/hosts/fleet-cache.service.ts';

async function fleetOf(url: string, cookie: string) {
  const res = await fetch(`${url}/api/fleet`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return fleetSchema.parse(await res.json());
}

describe('GET /api/fleet, the ranking projection', () => {
  let h: ApiHarness;
  let cookie: string;
  const agents: AgentClient[] = [];
  const seqs = new Map<AgentClient, number>();

  async function report(agent: AgentClient, used: number, remotePort = 443, at = new Date()) {
    const seq = (seqs.get(agent) ?? 0) + 1;
    seqs.set(agent, seq);
    agent.send(
      aSnapshot(seq, aReport({ tuples: [aTuple({ remoteAddress: '10.9.0.1', remotePort, used, timeWait: Math.floor(used / 2) })] }), at),
    );
    await agent.waitFor(isAck(seq));
  }

  beforeAll(async () => {
    h = await startApiHarness();
    cookie = await h.login();
  });
  afterAll(async () => {
    for (const a of agents) a.close();
    await h?.stop();
  });

  it('ranks hosts by pressure with their worst tuple, usable ports and last-hour sparkline', async () => {
    for (const [name, used] of [
      ['low', 10],
      ['high', 90],
      ['mid', 50],
    ] as const) {
      const { agent } = await connectEnrolled(h.api.url, aHello(`fleet-${name}`));
      agents.push(agent);
      await report(agent, used - 5, 443, new Date(Date.now() - 120_000));
      await report(agent, used);
    }
    await poll(async () => (await fleetOf(h.api.url, cookie)).hosts.map((x) => x.hostname)).toEqual([
      'fleet-high',
      'fleet-mid',
      'fleet-low',
    ]);
    await poll(async () => (await fleetOf(h.api.url, cookie)).hosts[0]?.trend?.sparkline.replaceAll('.', '').length).toBe(2);
    const fleet = await fleetOf(h.api.url, cookie);
    const high = fleet.hosts[0]!;
    expect(high.pressure).toBeCloseTo(0.9);
    expect(high.usable).toBe(100);
    expect(high.worst).toEqual({
      localAddress: '127.0.0.1',
      remoteAddress: '10.9.0.1',
      remotePort: 443,
      used: 90,
      timeWait: 45,
      reclaimable: 0,
    });
    expect(high.labels).toEqual({ env: 'test' });
    const spark = decodeSparkline(high.trend!.sparkline);
    expect(spark).toHaveLength(60);
    expect(spark.at(-1)).toBeCloseTo(0.9, 1);
    expect(spark.at(-3)).toBeCloseTo(0.85, 1);
    expect(Math.abs(Date.parse(fleet.serverTime) - Date.now())).toBeLessThan(60_000);
    expect(fleet.offlineAfterSeconds).toBe(30);

    // the same facts as the host's full summary
    const full = await hostSummaryOf(h, high.id);
    expect(high).toMatchObject({ id: full.id, lastSeenAt: full.lastSeenAt, pressure: full.pressure, usable: full.usable });
  });

  it('moves a host as soon as a new snapshot is stored', async () => {
    await report(agents[0]!, 99, 8443); // fleet-low jumps to the top
    await poll(async () => (await fleetOf(h.api.url, cookie)).hosts[0]).toMatchObject({
      hostname: 'fleet-low',
      pressure: 0.99,
      worst: { remotePort: 8443 },
    });
  });

  it('is current on every API instance: another instance learns of the snapshot through Postgres', async () => {
    const other = await startAnotherApi(h);
    try {
      const otherCookie = await signIn(other.url);
      expect((await fleetOf(other.url, otherCookie)).hosts[0]?.hostname).toBe('fleet-low');
      // ingested by the first instance, read from the second
      await report(agents[1]!, 100, 9443);
      await poll(async () => (await fleetOf(other.url, otherCookie)).hosts[0]).toMatchObject({ hostname: 'fleet-high', pressure: 1 });
    } finally {
      await other.close();
    }
  });

  it('re-reads the hosts announced while nobody asked when it is next asked (an unwatched instance does not re-read them at once)', async () => {
    const fleet = h.api.app.get(FleetCacheService);
    const destinations = h.api.app.get(DestinationsCacheService);
    fleet.watchedForMs = 0;
    destinations.watchedForMs = 0;
    try {
      await report(agents[2]!, 100, 7443); // fleet-mid: pressure 1, worst tuple to port 7443
      await poll(async () => (await fleetOf(h.api.url, cookie)).hosts.find((x) => x.hostname === 'fleet-mid')).toMatchObject({
        pressure: 1,
        worst: { remotePort: 7443 },
      });
      await poll(async () => {
        const res = await h.authedFetch('/api/destinations');
        return ((await res.json()) as { destinations: { remotePort: number }[] }).destinations.some((d) => d.remotePort === 7443);
      }).toBe(true);
    } finally {
      fleet.watchedForMs = WATCHED_FOR_MS;
      destinations.watchedForMs = WATCHED_FOR_MS;
    }
  });

  it('needs a session', async () => {
    expect((await fetch(`${h.api.url}/api/fleet`)).status).toBe(401);
  });
});
